"""What glue.lua keeps per proxy: an entity's constant members (name, type, unit_number, prototype) and its position
until it moves. Kept values must never outlive the truth: a destroyed entity raises Factorio's invalid-object error in
every state that held it, and a moved entity reads its new position in every state, whichever state moved it.

Two tiny mods hold a proxy each (their own Lua states, as in Factorio); the level's state runs the console commands.
"""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine

from .modkit import write_mod

_INVALID = "LuaEntity API call when LuaEntity was invalid."

# A mod that keeps an entity in its own state and reads members of it on request.
_HOLDER = """
local held
remote.add_interface("{name}", {{
  hold = function(unit)
    held = game.get_entity_by_unit_number(unit)
    return held.name .. " " .. held.type .. " " .. held.unit_number .. " " .. held.prototype.name
  end,
  read = function(key)
    local ok, value = pcall(function() return held[key] end)
    if type(value) == "table" and value.x ~= nil then value = value.x .. "," .. value.y end
    return tostring(ok) .. "|" .. tostring(value)  -- one string: remote.call answers only the first value
  end,
}})
"""


@pytest.fixture
def engine(tmp_path):
    for name in ("holder_a", "holder_b"):
        write_mod(tmp_path, name, {"control.lua": _HOLDER.format(name=name)})
    e = Engine(seed=1, mods_dir=tmp_path, starting_chunks=2, watchdog_seconds=None)
    yield e
    e.close()


def _sc(engine: Engine, code: str) -> str:
    reply = engine.execute_command("/sc " + code)
    assert not reply.startswith("Cannot execute"), reply
    return reply


def _read(engine: Engine, holder: str, key: str) -> str:
    return _sc(engine, f"rcon.print(remote.call('{holder}', 'read', '{key}'))")


def _create(engine: Engine, name: str, x: float, y: float) -> int:
    return int(_sc(
        engine,
        f"storage.e = game.surfaces[1].create_entity{{name = '{name}', position = {{{x}, {y}}}, force = 'player'}} "
        "rcon.print(storage.e.unit_number)",
    ))


def _hold_everywhere(engine: Engine, unit: int) -> None:
    for holder in ("holder_a", "holder_b"):
        reply = _sc(engine, f"rcon.print(remote.call('{holder}', 'hold', {unit}))")
        assert reply.startswith("burner-mining-drill mining-drill "), reply
        _read(engine, holder, "position")  # kept from now on


def test_a_destroyed_entity_raises_in_every_state_that_held_it(engine):
    unit = _create(engine, "burner-mining-drill", 4, 4)
    _hold_everywhere(engine, unit)
    assert _sc(engine, "rcon.print(storage.e.name .. ' ' .. storage.e.position.x)") == "burner-mining-drill 4"
    _sc(engine, "storage.e.destroy()")
    for holder in ("holder_a", "holder_b"):
        for key in ("name", "type", "unit_number", "prototype", "position"):
            # Raised at the mod's line that read it, as before.
            assert _read(engine, holder, key) == f"false|__{holder}__/control.lua:9: {_INVALID}", (holder, key)
        assert _read(engine, holder, "valid") == "true|false"
    # The level's own proxy too, and the error names the caller's line as before.
    reply = engine.execute_command("/sc local n = storage.e.name")
    assert _INVALID in reply and ":1:" in reply


def test_constant_members_stay_right_across_teleport_and_rotate(engine):
    unit = _create(engine, "burner-mining-drill", 4, 4)
    _hold_everywhere(engine, unit)
    assert _read(engine, "holder_a", "direction") == "true|0"
    _sc(engine, "storage.e.teleport({10, 12})")
    _sc(engine, "storage.e.direction = defines.direction.east")
    for holder in ("holder_a", "holder_b"):
        assert _read(engine, holder, "position") == "true|10,12"
        assert _read(engine, holder, "direction") == "true|4"
        assert _read(engine, holder, "name") == "true|burner-mining-drill"
        assert _read(engine, holder, "unit_number") == f"true|{unit}"
    # Moved from a mod's state: the level, which kept the old position, reads the new one.
    _sc(engine, "remote.call('holder_a', 'read', 'name')")
    assert _sc(engine, "rcon.print(storage.e.position.x)") == "10"
    _sc(engine, "storage.e.teleport(2, 0)")  # the relative form
    assert _read(engine, "holder_b", "position") == "true|12,12"
    assert _sc(engine, "local p = storage.e.position rcon.print(p.x .. ',' .. p.y)") == "12,12"


def test_a_walking_character_reads_its_new_position_every_tick(engine):
    unit = _create(engine, "character", 0.5, 0.5)
    _sc(engine, f"remote.call('holder_a', 'hold', {unit})")
    seen = [_read(engine, "holder_a", "position")]
    for _ in range(3):
        # As in the game, walking_state holds for one tick: set it before each.
        _sc(engine, "storage.e.walking_state = {walking = true, direction = defines.direction.east}")
        engine.step()
        seen.append(_read(engine, "holder_a", "position"))
        assert seen[-1] == "true|" + _sc(engine, "local p = storage.e.position rcon.print(p.x .. ',' .. p.y)")
    assert len(set(seen)) == 4, seen  # moved each tick, and each read saw it


def test_each_position_read_is_a_table_of_its_own(engine):
    _create(engine, "wooden-chest", 0.5, 0.5)
    reply = _sc(
        engine,
        "local a = storage.e.position a.x = 99 local b = storage.e.position "
        "rcon.print(b.x .. ' ' .. tostring(rawequal(a, b)) .. ' ' .. tostring(storage.e.position == b))",
    )
    assert reply == "0.5 false false"


def test_kept_members_are_read_only_as_before(engine):
    _create(engine, "wooden-chest", 0.5, 0.5)
    _sc(engine, "local n = storage.e.name")
    reply = engine.execute_command("/sc storage.e.name = 'iron-chest'")
    assert "LuaEntity::name is read only." in reply
    assert _sc(engine, "rcon.print(storage.e.name)") == "wooden-chest"
