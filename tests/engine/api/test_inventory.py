"""LuaInventory: `inv[i]`, counts, bars (chests: ContainerPrototype.inventory_type defaults to "with_bar") and slot
filters (the character's main inventory), and how insert honours them."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.prototypes import PrototypeData, load_prototypes
from factoryverse.engine.state_hash import state_hash

from ._lua_print import INVENTORIES, chest_and_character, fails, run


@pytest.fixture(scope="module")
def protos() -> PrototypeData:
    return load_prototypes()


@pytest.fixture
def engine() -> Engine:
    return chest_and_character()


def inv(engine: Engine, code: str) -> str:
    return run(engine, INVENTORIES + code)


def test_which_inventories_have_bars_and_filters(engine, protos):
    assert "inventory_type" not in protos.raw["container"]["wooden-chest"]  # the default: "with_bar"
    assert inv(engine, "p(inv.supports_bar(), inv.supports_filters(), main.supports_bar(), main.supports_filters())") \
        == "true\tfalse\tfalse\ttrue"
    size = protos.raw["container"]["wooden-chest"]["inventory_size"]
    assert inv(engine, "p(#inv, inv.get_bar())") == f"{size}\t{size + 1}"  # no limit: the bar after the last slot


def test_the_bar_closes_the_slots_after_it_to_insertion(engine, protos):
    size = protos.items["iron-plate"]["stack_size"]  # iron-plate.stack_size
    inv(engine, "inv.set_bar(3)")  # slots 1 and 2 open
    assert inv(engine, f"p(inv.get_bar(), inv.insert{{name = 'iron-plate', count = {size * 5}}}, "
                       "inv.can_insert('coal'), inv.get_insertable_count('iron-plate'), inv.is_full(), "
                       "inv.count_empty_stacks(), inv.count_empty_stacks(false, false))") == \
        f"3\t{size * 2}\tfalse\t0\ttrue\t14\t0"
    # Taking out ignores the bar; the bar only limits what goes in.
    assert inv(engine, "p(inv.remove{name = 'iron-plate', count = 5}, inv.insert{name = 'coal', count = 1})") == "5\t0"
    inv(engine, "inv.set_bar()")  # nil clears the limit
    assert inv(engine, "p(inv.get_bar(), inv.insert{name = 'coal', count = 1})") == f"{len_(protos) + 1}\t1"
    inv(engine, "inv.set_bar(1000)")  # past the end: no limit
    assert inv(engine, "p(inv.get_bar())") == f"{len_(protos) + 1}"


def len_(protos) -> int:
    return int(protos.raw["container"]["wooden-chest"]["inventory_size"])


def test_a_drill_waiting_on_a_barred_chest_is_woken_when_the_bar_moves(engine):
    inventory = engine.world.by_unit_number[1].inventories["chest"]
    woken: list[int] = []
    inventory.subscribe(engine.world.by_unit_number[1], lambda e: woken.append(e.unit_number))
    inv(engine, "inv.set_bar(2)")
    assert woken == [1]


def test_filters_take_only_their_item_and_fill_first(engine):
    assert inv(engine, "p(main.set_filter(3, 'coal'), serpent.line(main.get_filter(3)), main.get_filter(1), "
                       "main.is_filtered())") == \
        'true\t{comparator = "=", name = "coal", quality = "normal"}\tnil\ttrue'
    # Coal goes to its filtered slot first, iron plates never into it.
    assert inv(engine, "p(main.insert{name = 'coal', count = 10}, main[3].count, main[1].valid_for_read)") == \
        "10\t10\tfalse"
    assert inv(engine, "p(main.insert{name = 'iron-plate', count = 1}, main[1].name, main[3].name)") == \
        "1\tiron-plate\tcoal"
    # A slot holding another item can't take a filter; nil erases one.
    assert inv(engine, "p(main.can_set_filter(1, 'coal'), main.set_filter(1, 'coal'), main.can_set_filter(1, "
                       "'iron-plate'), main.set_filter(3, nil), main.is_filtered())") == "false\tfalse\ttrue\ttrue\tfalse"
    inv(engine, "main.set_filter(80, 'wood')")
    assert inv(engine, "p(main.count_empty_stacks(), main.count_empty_stacks(true))") == "77\t78"
    # find_empty_stack skips filtered slots unless given their item.
    inv(engine, "for i = 2, 79 do main[i].set_stack('stone') end")
    assert inv(engine, "p(main.find_empty_stack(), select(2, main.find_empty_stack('wood')))") == "nil\t80"
    # A chest has no filters: setting one is refused (the API's boolean), reading one gives nil.
    assert inv(engine, "p(inv.set_filter(1, 'coal'), inv.can_set_filter(1, 'coal'), inv.get_filter(1), "
                       "inv.is_filtered())") == "false\tfalse\tnil\tfalse"


def test_index_operator_and_finding_stacks(engine):
    inv(engine, "inv.insert{name = 'iron-plate', count = 150} inv.insert{name = 'coal', count = 3}")
    assert inv(engine, "local s, i = inv.find_item_stack('coal') p(s.name, s.count, i, inv[3] == s)") == \
        "coal\t3\t3\ttrue"
    assert inv(engine, "p(inv.find_item_stack('wood'))") == "nil"
    assert inv(engine, "local s, i = inv.find_empty_stack() p(i, s.valid_for_read)") == "4\tfalse"
    assert inv(engine, "p(serpent.line(inv.get_contents()))") == (
        '{{count = 150, name = "iron-plate", quality = "normal"}, {count = 3, name = "coal", quality = "normal"}}')


@pytest.mark.parametrize(("code", "message"), [
    ("local x = inv[0]", "Index out of range: 0"),
    ("local x = inv[17]", "Index out of range: 17"),
    ("local x = inv[1.5]", "expected a slot number"),
    ("main.get_bar()", "doesn't support a bar"),
    ("main.set_bar(2)", "doesn't support a bar"),
    ("inv.set_bar(0)", "expected a slot index >= 1"),
    ("main.set_filter(1, 'no-such-item')", "Unknown item name: no-such-item"),
    ("main.set_filter(81, 'coal')", "Index out of range: 81"),
    ("main.set_filter(1, {name = 'coal', quality = 'rare'})", "qualities other than normal"),
    ("inv.find_item_stack(3)", "expected ItemWithQualityID"),
])
def test_bad_input_gets_an_error_and_changes_nothing(engine, code, message):
    before = state_hash(engine)
    assert message in fails(engine, "local inv, main = storage.inv, storage.main " + code)
    assert state_hash(engine) == before


def test_bars_and_filters_survive_save_load_and_fork(engine, tmp_path):
    inv(engine, "inv.set_bar(5) main.set_filter(7, 'coal')")
    loaded = Engine.load(engine.save(tmp_path, "bars"), mods=[])
    for game in (engine, loaded, engine.fork()):
        assert run(game, "p(storage.inv.get_bar(), storage.main.get_filter(7).name, "
                         "storage.inv.insert{name = 'stone', count = 1000})") == "5\tcoal\t200"
    assert state_hash(loaded) == state_hash(engine)
