"""fv_snapshot and fv_embodied_agent register on_tick only while they have per-tick work, as Factorio advises, so an
idle game runs none of their Lua per tick (benchmarks/idle_ups.py). Their work still completes, and a loaded game
gets the handler back from storage in on_load (a fresh Lua state has no registrations: they are not saved).

Loading is simulated the way it looks to a mod: the handler is dropped, as a new state would not have it, and the
mod's on_load runs. Every test runs on each Factorio version (conftest.py).
"""

from __future__ import annotations

from factoryverse.engine.engine import Engine

from .test_mods_on_engine import _call, _completion, _nearest_tile
from .test_snapshot_runs import _bootstrap


def _mod(engine: Engine, name: str):
    return next(m for m in engine.mods if m.name == name)


def _ticking(engine: Engine, name: str) -> bool:
    return engine.events.ids["on_tick"] in _mod(engine, name).handlers


def _load(engine: Engine, name: str) -> None:
    mod = _mod(engine, name)
    mod.handlers.pop(engine.events.ids["on_tick"], None)
    engine._run_handler(mod, "on_load", mod.on_load)
    assert not engine.mod_errors, engine.mod_errors


def test_an_idle_game_runs_no_mod_on_tick(engine):
    engine.run_ticks(60)
    for mod in engine.mods:
        assert not _ticking(engine, mod.name), mod.name
        assert not mod.nth_tick, mod.name
    assert not engine.mod_errors


def test_snapshot_ticks_only_while_bootstrapping(engine):
    assert not _ticking(engine, "fv_snapshot")
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-a'}")
    assert _ticking(engine, "fv_snapshot")
    status = _bootstrap(engine)
    assert status["chunks"] > 0
    assert not _ticking(engine, "fv_snapshot")
    # A later bootstrap (a new run) registers it again and completes.
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-b'}")
    assert _ticking(engine, "fv_snapshot")
    assert _bootstrap(engine)["chunks"] == status["chunks"]
    assert not _ticking(engine, "fv_snapshot")


def test_snapshot_on_load_restores_a_running_bootstrap(engine):
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-a'}")
    engine.step()
    assert _call(engine, "map", "get_snapshot_status")["phase"] == "bootstrap"
    _load(engine, "fv_snapshot")
    assert _ticking(engine, "fv_snapshot")
    assert _bootstrap(engine)["phase"] == "complete"
    assert not _ticking(engine, "fv_snapshot")


def test_snapshot_on_load_when_idle_registers_nothing(engine):
    _load(engine, "fv_snapshot")
    assert not _ticking(engine, "fv_snapshot")
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-a'}")
    _bootstrap(engine)
    _load(engine, "fv_snapshot")
    assert not _ticking(engine, "fv_snapshot")


def _agent_at_ore(engine: Engine, udp) -> str:
    tx, ty = _nearest_tile(engine, "iron-ore", 0, 0)
    agent = _call(engine, "agent", "create_agent", str(udp.getsockname()[1]), f"{{position = {{x = {tx + 0.5}, y = {ty + 1.5}}}}}")
    return agent["interface_name"]


def test_agent_ticks_only_while_mining(engine, udp):
    iface = _agent_at_ore(engine, udp)
    assert not _ticking(engine, "fv_embodied_agent")
    _call(engine, iface, "mine_resource", "'iron-ore'", "2")
    assert _ticking(engine, "fv_embodied_agent")
    done = _completion(engine, udp, max_ticks=2000)
    assert done["success"] is True and done["result"] == {"item": "iron-ore", "count": 2}, done
    engine.step()  # the tick after the last action ended unregisters the handler
    assert not _ticking(engine, "fv_embodied_agent")


def test_agent_ticks_only_while_walking_a_path(engine, udp):
    agent = _call(engine, "agent", "create_agent", str(udp.getsockname()[1]))
    start = agent["position"]
    _call(engine, agent["interface_name"], "walk_to", f"{{x = {start['x'] + 8.5}, y = {start['y'] + 0.5}}}",
          "{radius = 0.5}")
    for _ in range(100):  # the pathfinder answers within a few ticks; steering needs on_tick from then on
        if _ticking(engine, "fv_embodied_agent"):
            break
        engine.step()
    assert _ticking(engine, "fv_embodied_agent")
    done = _completion(engine, udp, max_ticks=3000)
    assert done["success"] is True, done
    engine.step()
    assert not _ticking(engine, "fv_embodied_agent")


def test_agent_on_load_restores_a_running_action(engine, udp):
    iface = _agent_at_ore(engine, udp)
    _load(engine, "fv_embodied_agent")
    assert not _ticking(engine, "fv_embodied_agent")  # nothing to do: nothing registered
    _call(engine, iface, "mine_resource", "'iron-ore'", "2")
    engine.run_ticks(5)
    _load(engine, "fv_embodied_agent")
    assert _ticking(engine, "fv_embodied_agent")
    done = _completion(engine, udp, max_ticks=2000)
    assert done["success"] is True and done["result"] == {"item": "iron-ore", "count": 2}, done
