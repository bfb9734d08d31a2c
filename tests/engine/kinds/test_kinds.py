"""Entity kinds: one class per prototype type gives inventories, routing and type-specific LuaEntity members, and the
engine outside engine/kinds/ doesn't branch on entity types."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from factoryverse.engine import kinds
from factoryverse.engine.engine import Engine
from factoryverse.engine.kinds.base import Kind
from factoryverse.engine.prototypes import load_prototypes

from ..mechanics.conftest import clear_land

_ENGINE = Path(kinds.__file__).resolve().parent.parent


@pytest.fixture
def engine() -> Engine:
    e = Engine(seed=1, mods=[], starting_chunks=1)
    clear_land(e, -10, -10, 10, 10)
    e.execute_command(
        "/sc local s = game.surfaces.nauvis "
        "storage.chest = s.create_entity{name = 'wooden-chest', position = {4.5, 4.5}, force = 'player'} "
        "storage.f = s.create_entity{name = 'stone-furnace', position = {-4, -4}, force = 'player'} "
        "storage.d = s.create_entity{name = 'burner-mining-drill', position = {-4, 4}, force = 'player'} "
        "storage.ore = s.create_entity{name = 'iron-ore', position = {6.5, -6.5}, amount = 5} "
        "storage.c = s.create_entity{name = 'character', position = {0.5, 0.5}, force = 'player'}"
    )
    return e


def sc(engine: Engine, code: str) -> str:
    return engine.execute_command("/sc " + code)


def test_every_kind_serves_its_own_types_and_others_get_the_plain_kind():
    served: dict[str, str] = {}
    for kind in kinds.all_kinds()[:-1]:
        for t in kind.types:
            assert t not in served, f"{t} served by {served[t]} and {type(kind).__name__}"
            served[t] = type(kind).__name__
            assert kinds.kind_of(t) is kind
    entity_types = {p["type"] for p in load_prototypes().entities.values()}
    assert set(served) <= entity_types, "a kind names a type the game doesn't have"
    assert type(kinds.kind_of("lamp")) is Kind


@pytest.mark.parametrize(
    ("who", "member", "answer"),
    [
        # Type-specific members on the wrong kind: the game's error, or the value the API documents.
        ("chest", "crafting_progress", "Entity is not a crafting machine."),
        ("d", "crafting_progress", "Entity is not a crafting machine."),
        ("chest", "mining_target", "Entity is not a mining drill."),
        ("f", "mining_progress", "nil"),  # "nil if this isn't a mining drill"
        ("chest", "amount", "Entity is not resource."),
        ("chest", "walking_state", "Entity is not a character."),
        ("chest", "reach_distance", str(2**32 - 1)),  # "max uint when not a character"
        ("chest", "build_distance", str(2**32 - 1)),
        # ... and on the right kind, the kind answers.
        ("f", "crafting_progress", "0"),
        ("d", "mining_progress", "0"),
        ("ore", "amount", "5"),
    ],
)
def test_type_specific_members_dispatch_to_the_kind(engine, who, member, answer):
    reply = sc(engine, f"rcon.print(tostring(storage.{who}.{member}))")
    assert answer in reply, reply


def test_methods_of_a_kind_and_their_errors_elsewhere(engine):
    assert sc(engine, "rcon.print(tostring(storage.f.is_crafting()))") == "false"
    assert "Entity is not a crafting machine." in sc(engine, "storage.chest.is_crafting()")
    assert "Entity is not resource." in sc(engine, "storage.f.deplete()")


def test_inventories_and_insert_routing_come_from_the_kind(engine):
    reply = sc(
        engine,
        "local f, d, chest, c = storage.f, storage.d, storage.chest, storage.c "
        "local function n(inv) return inv and inv.index or 'nil' end "
        "rcon.print(f.insert{name = 'coal', count = 3} .. f.insert{name = 'iron-ore', count = 2} .. "
        "f.insert{name = 'wooden-chest', count = 1} .. d.insert{name = 'iron-ore', count = 1} .. ' ' .. "
        "tostring(n(f.get_main_inventory())) .. ' ' .. tostring(f.get_output_inventory().index == defines.inventory.crafter_output) .. ' ' .. "
        "tostring(chest.get_main_inventory().index == defines.inventory.chest) .. ' ' .. "
        "tostring(c.get_main_inventory().index == defines.inventory.character_main) .. ' ' .. "
        "f.get_fuel_inventory().get_item_count('coal') .. f.get_inventory(defines.inventory.crafter_input).get_item_count('iron-ore'))",
    )
    # Coal goes to the fuel slot, ore to the source slot; a chest item fits neither; a drill takes only fuel.
    assert reply == "3200 nil true true true 32"


def test_entity_types_are_named_only_in_the_kinds():
    """The engine outside engine/kinds/ branches on no entity type: what a type does is its kind's.

    Left out: prototypes.py reads the data stage by type as the game does (default collision masks per type), and
    `raw["<type>"]` lookups name data tables (mapgen places trees from raw["tree"]), which is data, not behaviour.
    """
    types = {p["type"] for p in load_prototypes().entities.values()}
    found: list[str] = []
    for path in sorted(_ENGINE.rglob("*.py")):
        rel = path.relative_to(_ENGINE).as_posix()
        if rel.startswith("kinds/") or rel in ("prototypes.py", "world/mapgen.py"):
            continue
        tree = ast.parse(path.read_text())
        skip: set[int] = set()
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))  # docstrings
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "raw":
                skip.add(id(node.slice))
            # A data field read by name (a technology's `unit`) is data too, even when a type shares the word.
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                    and node.args and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "REGISTRY")):
                if isinstance(node.func.value, ast.Call) or "type" not in ast.unparse(node.func.value):
                    skip.add(id(node.args[0]))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in types and id(node) not in skip:
                found.append(f"{rel}:{node.lineno} {node.value!r}")
    assert found == [], "entity types named outside engine/kinds/ (give the kind an attribute instead):\n" + "\n".join(found)


def test_entities_of_one_prototype_share_their_collision_shape(engine):
    world = engine.world
    surface = world.surfaces["nauvis"]
    a = world.create_entity(surface, "wooden-chest", 7.5, 7.5)
    b = world.create_entity(surface, "wooden-chest", 8.5, 7.5)
    assert a.box is b.box and a.layers is b.layers
    d = world.create_entity(surface, "burner-mining-drill", 7, -7, direction=4)
    e = world.create_entity(surface, "burner-mining-drill", 7, -3, direction=4)
    assert d.box is e.box and d.layers is e.layers


def test_get_entity_by_unit_number_finds_live_entities_only(engine):
    assert sc(engine, "rcon.print(tostring(game.get_entity_by_unit_number(storage.f.unit_number) == storage.f))") == "true"
    reply = sc(engine, "local n = storage.chest.unit_number storage.chest.destroy() "
               "rcon.print(tostring(game.get_entity_by_unit_number(n)) .. ' ' .. tostring(game.get_entity_by_unit_number(123456)))")
    assert reply == "nil nil"
    assert len(engine.world.by_unit_number) == 3  # the furnace, the drill and the character
