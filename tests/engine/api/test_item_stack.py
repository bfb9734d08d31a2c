"""LuaItemStack: a view of an inventory slot (`inv[i]`) or of an item on the ground (`entity.stack`) that follows
later changes of its slot; reading an empty one fails as in the game ("LuaItemStack API call when LuaItemStack was
invalid for read.")."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.prototypes import PrototypeData, load_prototypes
from factoryverse.engine.state_hash import state_hash

from ._lua_print import INVENTORIES, chest_and_character, fails, run

EMPTY = "LuaItemStack API call when LuaItemStack was invalid for read."


@pytest.fixture(scope="module")
def protos() -> PrototypeData:
    return load_prototypes()


@pytest.fixture
def engine() -> Engine:
    return chest_and_character()


def st(engine: Engine, code: str) -> str:
    return run(engine, INVENTORIES + code)


def test_a_stack_reads_its_slot_and_follows_it(engine):
    assert st(engine, "local s = inv[1] p(s.valid, s.valid_for_read, s.count) inv.insert{name = 'coal', count = 7} "
                      "p(s.valid_for_read, s.name, s.count, s.type, s.prototype.name, s.quality.name, s.health, "
                      "s.object_name, s.is_blueprint, s.is_tool, s.is_module)") == \
        "true\tfalse\t0\ntrue\tcoal\t7\titem\tcoal\tnormal\t1\tLuaItemStack\tfalse\tfalse\tfalse"
    assert st(engine, "local s = inv[1] inv.remove{name = 'coal', count = 7} p(s.valid_for_read, s.count)") == \
        "false\t0"
    assert EMPTY in fails(engine, "p(storage.inv[1].name)")


def test_count_set_stack_clear(engine, protos):
    size = protos.items["iron-plate"]["stack_size"]  # iron-plate.stack_size
    assert st(engine, f"local s = inv[2] p(s.set_stack{{name = 'iron-plate', count = {size + 50}}}, s.count) "
                      "s.count = 5 p(inv.get_item_count('iron-plate'), s.can_set_stack('coal')) "
                      "s.count = 0 p(s.valid_for_read, s.set_stack('wood'), s.count) s.clear() p(s.valid_for_read)") \
        == f"true\t{size}\n5\ttrue\nfalse\ttrue\t1\nfalse"
    assert st(engine, "local s = inv[2] s.set_stack('coal') p(s.set_stack(), s.valid_for_read)") == "true\tfalse"


def test_slots_that_take_only_some_items(engine):
    # A filtered slot takes only its item; a furnace's fuel slot only fuel.
    st(engine, "main.set_filter(1, 'coal')")
    assert st(engine, "p(main[1].can_set_stack('iron-plate'), main[1].set_stack('iron-plate'), "
                      "main[1].set_stack{name = 'coal', count = 3}, main[1].count)") == "false\tfalse\ttrue\t3"
    run(engine, "storage.f = game.surfaces.nauvis.create_entity{name = 'stone-furnace', position = {-4, -4}, "
                "force = 'player'}")
    assert run(engine, "local fuel = storage.f.get_fuel_inventory() p(fuel[1].set_stack('iron-ore'), "
                       "fuel[1].set_stack('coal'), storage.f.get_item_count('coal'))") == "false\ttrue\t1"


def test_transfer_and_swap(engine):
    st(engine, "inv[1].set_stack{name = 'coal', count = 30} inv[2].set_stack{name = 'coal', count = 45}")
    assert st(engine, "p(inv[2].transfer_stack(inv[1]), inv[1].count, inv[2].count)") == "false\t25\t50"
    assert st(engine, "p(inv[3].transfer_stack(inv[1], 10), inv[1].count, inv[3].count)") == "true\t15\t10"
    assert st(engine, "p(inv[3].transfer_stack(main[1]), inv[3].transfer_stack(inv[3]))") == "false\tfalse"
    st(engine, "main[5].set_stack('iron-plate')")
    assert st(engine, "p(main[5].swap_stack(inv[1]), main[5].name, main[5].count, inv[1].name)") == \
        "true\tcoal\t15\tiron-plate"
    st(engine, "main.set_filter(6, 'wood')")
    assert st(engine, "p(main[6].swap_stack(inv[1]), inv[1].name)") == "false\tiron-plate"


def test_an_item_on_the_ground_through_entity_stack(engine):
    run(engine, "storage.item = game.surfaces.nauvis.create_entity{name = 'item-on-ground', position = {-3, 2}, "
                "stack = {name = 'iron-plate', count = 4}}")
    assert run(engine, "local s = storage.item.stack p(s.name, s.count) s.count = 2 p(storage.item.stack.count)") == \
        "iron-plate\t4\n2"
    # Emptied, the item on the ground is gone and its stack invalid.
    assert run(engine, "local s = storage.item.stack s.clear() p(storage.item.valid, s.valid)") == "false\tfalse"
    assert "Entity is not an item entity." in fails(engine, "local x = storage.chest.stack")


def test_a_stack_of_a_destroyed_chest_is_invalid(engine):
    assert st(engine, "local s = inv[1] storage.chest.destroy() p(s.valid)") == "false"
    assert "LuaInventory API call when LuaInventory was invalid." in fails(engine, "p(storage.inv[1])")


@pytest.mark.parametrize(("code", "message"), [
    ("inv[1].count = 3", EMPTY),
    ("inv[1].set_stack('coal') inv[1].count = 51", "more than the stack size"),
    ("inv[1].set_stack('coal') inv[1].count = -1", "whole number >= 0"),
    ("inv[1].set_stack('no-such-item')", "Unknown item name: no-such-item"),
    ("inv[1].set_stack{name = 'coal', count = 1.5}", "whole number"),
    ("inv[1].swap_stack('coal')", "expected LuaItemStack"),
    ("inv[1].transfer_stack(inv[2], -1)", "amount"),
])
def test_bad_input_gets_an_error_and_leaves_the_slot(engine, code, message):
    before = state_hash(engine)
    reply = fails(engine, "local inv, main = storage.inv, storage.main " + code)
    assert message in reply
    # A failing statement after a successful set_stack leaves that set_stack done, nothing more.
    after = st(engine, "p(inv.get_item_count())")
    assert after in ("0", "1") and (after == "1" or state_hash(engine) == before)
