"""API proxies (glue.lua with LuaState): each proxy reaches its own engine object whatever the collector does, and
the state lets go of the objects whose proxies are gone."""

from __future__ import annotations

from typing import Iterator

import pytest

from factoryverse.engine.api.surface import TileRef
from factoryverse.engine.engine import Engine


@pytest.fixture
def engine() -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=1)


def sc(engine: Engine, code: str) -> str:
    return engine.execute_command("/sc " + code)


def _tiles(engine: Engine) -> Iterator[TileRef]:
    surface = engine.world.surfaces["nauvis"]
    return (TileRef(surface, x, 0) for x in range(100_000))


def test_a_proxy_made_while_finalizers_are_pending_reaches_its_own_object(engine):
    """Regression: after counting water tiles chunk by chunk, `game.forces.player.is_chunk_charted` ran on a
    LuaTile ("'TileRef' object has no attribute 'is_charted'"). Proxies held Python objects, and lupa 2.8 caches
    one userdata per Python object in a weak table through luaL_ref. Lua 5.2 clears a dead userdata's slot before
    its __gc runs; while that finalizer waits, luaL_ref (free list empty) gives the cleared slot to the next new
    object, and pushing the first object again returned the newcomer's userdata. The steps below set that up one
    collector step at a time: on the old code the new force proxy got the last tile made, every run."""
    state, tile = engine.level, _tiles(engine)
    sc(engine, "game.create_force('probe')")  # never pushed since: nothing of it is cached yet
    force = engine.world.forces["probe"]
    collect = state._collect  # the engine's own collectgarbage; mods have none
    atomic_done = state.lua.execute("return setmetatable({}, {__mode = 'v'})")
    collect("collect")
    collect("stop")
    try:
        held = [state.to_lua(next(tile)) for _ in range(64)]  # use up slots freed earlier: new ones go on top
        older = [state.to_lua(next(tile)) for _ in range(4)]
        proxy = state.to_lua(force)  # the top slot
        del older
        collect("collect")  # the four older ones are finalized: their slots are free, below the force's
        collect("stop")
        newer = [state.to_lua(next(tile)) for _ in range(4)]  # take those slots; finalized before the force
        del newer, proxy
        atomic_done[1] = state.table()
        for _ in range(1_000_000):  # one step at a time up to the one that clears weak values
            if atomic_done[1] is None:
                break
            collect("step", 0)
        else:
            pytest.fail("the collector never reached its atomic step")
        # That step ran four finalizers (the newer four); the force's is still pending, its slot cleared.
        held += [state.to_lua(next(tile)) for _ in range(5)]  # the free list again, then the force's cleared slot
        again = state.to_lua(force)
        assert state.from_lua(again) is force
        name = state.lua.eval("function(p) local ok, r = pcall(function() return p.name end) return tostring(r) end")
        assert name(again) == "probe"
        assert all(state.from_lua(p).oid.startswith("tile:") for p in held)
    finally:
        collect("restart")


def test_proxy_identity_and_opacity_hold(engine):
    reply = sc(
        engine,
        "local a, b = game.forces.player, game.forces['player'] "
        "rcon.print(tostring(rawequal(a, b)) .. ' ' .. tostring(next(a)) .. ' ' .. tostring(a == game.forces.enemy))",
    )
    assert reply == "true nil false"


def test_objects_of_collected_proxies_are_forgotten_and_live_ones_kept(engine):
    state, tile = engine.level, _tiles(engine)
    # A mod keeping only a method: the method must keep working, so the force's entry must stay.
    sc(engine, "kept = game.forces.player.is_chunk_charted game.forces.player.chart(game.surfaces[1], {{0, 0}, {1, 1}})")
    engine.step()  # the chart request is carried out
    force_oid = engine.world.forces["player"].oid
    for _ in range(3 * 4096):
        state.to_lua(next(tile))  # garbage at once; sweeps run on the way, as the count passes the threshold
    assert len(state._objects) < 3 * 4096
    state._collect("collect")
    state._sweep_objects()
    assert [k for k in state._objects if str(k).startswith("tile:")] == []
    assert force_oid in state._objects
    assert sc(engine, "rcon.print(tostring(kept(game.surfaces[1], {0, 0})))") == "true"
