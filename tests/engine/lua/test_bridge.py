"""The bridge after it was made cheap (one bound Python function per class and member, errors answered as values,
custom tables kept per state, on_tick tables made in Lua): what mods see is what they saw before."""

from __future__ import annotations

from pathlib import Path

import pytest

from factoryverse.engine.engine import Engine
from tests.engine.lua.modkit import write_mod


@pytest.fixture
def engine() -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=1)


# `say(a, b, ...)` prints its arguments' tostring joined by spaces (rcon.print takes one).
_SAY = "local function say(...) local t = {} for i = 1, select('#', ...) do t[i] = tostring((select(i, ...))) end rcon.print(table.concat(t, ' ')) end "


def sc(engine: Engine, code: str) -> str:
    return engine.execute_command("/sc " + _SAY + code)


def test_an_invalidated_entity_raises_the_games_error_on_every_kind_of_access(engine):
    sc(engine, "chest = game.surfaces[1].create_entity{name = 'wooden-chest', position = {0.5, 0.5}, force = 'player'}")
    assert sc(engine, "say(chest.name, chest.position.x, chest.valid)") == "wooden-chest 0.5 true"
    sc(engine, "chest.destroy()")
    for access in ("return chest.name", "return chest.position", "return chest.get_item_count()", "chest.direction = 2"):
        reply = sc(engine, f"local ok, err = pcall(function() {access} end) rcon.print(type(err) .. ' ' .. err)")
        assert reply.startswith("string ") and reply.endswith("LuaEntity API call when LuaEntity was invalid."), access
    # Readable on an invalid object, as in the game.
    assert sc(engine, "rcon.print(tostring(chest.valid) .. ' ' .. chest.object_name)") == "false LuaEntity"


def test_an_api_error_is_a_string_raised_at_the_callers_line(engine):
    reply = sc(
        engine,
        "local e = game.surfaces[1].create_entity{name = 'wooden-chest', position = {0.5, 0.5}, force = 'player'}\n"
        "local ok, err = pcall(function()\n return e.mining_target\n end)\nrcon.print(err)",
    )
    assert reply.endswith(":3: Entity is not a mining drill.")


def test_a_getter_answers_proxies_positions_and_tables(engine):
    reply = sc(
        engine,
        "local e = game.surfaces[1].create_entity{name = 'wooden-chest', position = {2.5, 3.5}, force = 'player'} "
        "local p = e.position local keys = {} for k in pairs(p) do keys[#keys + 1] = k end table.sort(keys) "
        "say(table.concat(keys, ','), p.x, p.y, rawequal(e.surface, game.surfaces[1]), e.force.name, "
        "e.prototype.name, rawequal(p, e.position))",
    )
    assert reply == "x,y 2.5 3.5 true player wooden-chest false"


def test_custom_tables_are_kept_until_a_force_is_created(engine):
    assert sc(engine, "say(rawequal(game.forces, game.forces), rawequal(game.surfaces, game.surfaces))") == "true true"
    reply = sc(
        engine,
        "local before = game.forces game.create_force('newcomers') local after = game.forces "
        "say(before.newcomers, after.newcomers.name, rawequal(before, after), table_size(after))",
    )
    assert reply == "nil newcomers false 4"
    sc(engine, "game.merge_forces('newcomers', 'player')")
    assert sc(engine, "say(game.forces.newcomers, table_size(game.forces))") == "nil 3"


def test_many_proxies_made_by_getters_each_reach_their_own_object(engine):
    """The invariant behind test_glue.py's regression, through the bound getters: no Python object is pushed into
    Lua for an API object, so reads under collector pressure keep resolving to the right objects."""
    reply = sc(
        engine,
        "local s = game.surfaces[1] local made = {} "
        "for i = 1, 300 do made[i] = s.create_entity{name = 'wooden-chest', position = {i + 0.5, 20.5}, "
        "force = 'player'} end "
        "local bad = 0 for round = 1, 20 do for i = 1, 300 do local e = made[i] "
        "if e.surface ~= s or e.position.x ~= i + 0.5 or e.force.name ~= 'player' then bad = bad + 1 end end "
        "end rcon.print(bad)",
    )
    assert reply == "0"
    state = engine.level
    assert all(state._object(oid).oid == oid for oid in state._proxy_oids.values())


def test_the_instruction_budget_starts_afresh_in_every_call(tmp_path: Path):
    # The hook stays set between calls; setting it at the start of each restarts its count, so the same loop is
    # stopped after the same number of iterations whatever Lua ran before.
    engine = Engine(seed=1, mods=[], starting_chunks=1, instruction_limit=200_000)

    def iterations() -> str:
        sc(engine, "n = 0 while true do n = n + 1 end")
        return sc(engine, "rcon.print(n)")

    first = iterations()
    sc(engine, "local x = 0 for i = 1, 777 do x = x + i end")
    assert iterations() == first
    assert int(first) > 1000


def _mods(tmp_path: Path) -> Path:
    write_mod(tmp_path, "ticker", {"control.lua": (
        "script.on_event(defines.events.on_tick, function(e) "
        "storage.seen = (storage.seen or '') .. e.name .. ':' .. e.tick .. ';' end) "
        "script.on_nth_tick(2, function(e) storage.nth = (storage.nth or '') .. tostring(e.name) .. ':' .. e.tick "
        ".. ':' .. e.nth_tick .. ';' end) "
        "remote.add_interface('ticker', {seen = function() return storage.seen end, nth = function() return storage.nth end})"
    )})
    write_mod(tmp_path, "quiet", {"control.lua": "script.on_event(defines.events.on_chunk_charted, function() end)"})
    return tmp_path


def test_events_without_a_handler_never_enter_the_mods_state(tmp_path: Path):
    engine = Engine(seed=1, mods_dir=_mods(tmp_path), starting_chunks=1)
    engine.run_ticks(3)  # start-up events settle
    calls = {}
    for mod in engine.mods:
        for method in ("call", "call_event", "to_lua"):
            original = getattr(mod.state, method)

            def counting(*args, _original=original, _key=(mod.name, method), **kwargs):
                calls[_key] = calls.get(_key, 0) + 1
                return _original(*args, **kwargs)

            setattr(mod.state, method, counting)
    engine.run_ticks(10)
    assert not any(count for (name, _), count in calls.items() if name == "quiet")
    # One call per tick for on_tick, one every second tick for on_nth_tick(2), and no table built in Python.
    assert calls.get(("ticker", "call_event")) == 15 and ("ticker", "to_lua") not in calls


def test_tick_event_tables_hold_what_the_game_gives(tmp_path: Path):
    engine = Engine(seed=1, mods_dir=_mods(tmp_path), starting_chunks=1)
    start = engine.tick
    engine.run_ticks(3)
    on_tick = engine.events.ids["on_tick"]
    seen = sc(engine, "rcon.print(remote.call('ticker', 'seen'))")
    assert seen.endswith("".join(f"{on_tick}:{t};" for t in range(start, start + 3)))
    nth = sc(engine, "rcon.print(remote.call('ticker', 'nth'))")
    assert nth.endswith("".join(f"nil:{t}:2;" for t in range(start, start + 3) if t % 2 == 0))
