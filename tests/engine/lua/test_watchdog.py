"""The wall-clock watchdog and the per-state memory limit: the safety nets that keep the game answering when a
command or handler runs too long or allocates without end. Bounds in these tests are generous on purpose (a loaded
2-core machine); speed figures live in benchmarks/."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from factorio_rcon import RCONClient

from factoryverse.engine.engine import Engine
from factoryverse.engine.lua.watchdog import Watchdog
from factoryverse.engine.server.instance import GameServer, ServerConfig
from tests._support.background import BackgroundServer

from .modkit import write_mod

_DEADLINE = 0.3
_GENEROUS = 5.0
_WATCHDOG = "Wall-clock watchdog: "


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=1, watchdog_seconds=_DEADLINE)


def timed(engine: Engine, code: str) -> tuple[str, float]:
    started = time.monotonic()
    reply = engine.execute_command("/sc " + code)
    return reply, time.monotonic() - started


def test_a_loop_of_slow_api_reads_is_aborted_by_the_watchdog(engine):
    """Regression: `while true do local t = game.tick end` ran 18 s before the instruction limit fired, because
    each iteration spends its time in Python, not in counted Lua instructions."""
    reply, took = timed(engine, "while true do local t = game.tick end")
    assert took < _GENEROUS
    assert _WATCHDOG + "command ran longer than 0.3 s and was aborted" in reply
    assert "outside the game's determinism" in reply
    assert any(line.startswith("the wall-clock watchdog aborted command after") for line in engine.log_lines)
    assert engine.execute_command("/sc rcon.print('next')") == "next"


@pytest.mark.parametrize(
    "code",
    [
        "while true do pcall(function() while true do local t = game.tick end end) end",
        "while true do xpcall(function() while true do local t = game.tick end end, function(m) return m end) end",
        "local function f() return pcall(function() local t = game.tick return f() end) end while true do f() end",
    ],
)
def test_catching_the_watchdog_error_does_not_escape_it(engine, code):
    reply, took = timed(engine, code)
    assert took < _GENEROUS
    assert _WATCHDOG in reply
    assert engine.execute_command("/sc rcon.print('next')") == "next"


def test_each_command_gets_its_own_deadline(engine):
    # Many short commands in a row never add up to the deadline.
    for _ in range(20):
        assert engine.execute_command("/sc local n = 0 for i = 1, 10000 do n = n + i end rcon.print(n)") == "50005000"


def test_a_handler_past_its_deadline_is_recorded_and_the_game_goes_on(tmp_path):
    write_mod(
        tmp_path,
        "stuck",
        {
            "control.lua": """
script.on_event(defines.events.on_tick, function(e)
  if e.tick == 2 then while true do local t = game.tick end end
  storage.last = e.tick
end)
remote.add_interface("stuck", {last = function() return storage.last end})
"""
        },
    )
    engine = Engine(seed=1, mods_dir=tmp_path, starting_chunks=1, watchdog_seconds=_DEADLINE)
    started = time.monotonic()
    engine.run_ticks(5)
    assert time.monotonic() - started < _GENEROUS
    assert len(engine.mod_errors) == 1
    assert "Error in stuck while running event on_tick: " in engine.mod_errors[0]
    assert _WATCHDOG + "stuck event on_tick ran longer than 0.3 s" in engine.mod_errors[0]
    assert engine.execute_command("/sc rcon.print(remote.call('stuck', 'last'))") == "4"


def test_a_remote_call_runs_under_the_commands_deadline(tmp_path):
    # The deadline is the outermost call's: a command can't win more time by looping inside another state.
    write_mod(
        tmp_path,
        "slow",
        {"control.lua": 'remote.add_interface("slow", {spin = function() while true do local t = game.tick end end})'},
    )
    engine = Engine(seed=1, mods_dir=tmp_path, starting_chunks=1, watchdog_seconds=_DEADLINE)
    reply, took = timed(engine, "while true do pcall(remote.call, 'slow', 'spin') end")
    assert took < _GENEROUS
    assert _WATCHDOG + "command ran longer than 0.3 s" in reply


def test_watchdog_rejects_a_nonsense_deadline():
    with pytest.raises(ValueError, match="positive number of seconds"):
        Watchdog(0)


def test_a_watchdog_deadline_set_by_a_fake_clock_fires_exactly_past_it():
    now = [100.0]
    dog = Watchdog(2.0, clock=lambda: now[0])
    with dog.running("probe"):
        now[0] = 101.9
        assert not dog.expired()
        now[0] = 102.1
        assert dog.expired()
    assert not dog.expired()  # no call running: no deadline


class _Served(BackgroundServer):
    def __init__(self, config: ServerConfig):
        super().__init__(GameServer(config), timeout=30)


@pytest.fixture
def served() -> Iterator[_Served]:
    config = ServerConfig(seed=1, rcon_port=0, rcon_password="pw", mods_dir=None, mode="realtime",
                          watchdog_seconds=_DEADLINE)
    with _Served(config) as harness:
        yield harness


def test_the_server_keeps_answering_rcon_after_a_watchdog_abort(served):
    with RCONClient("127.0.0.1", served.server.rcon.port, "pw", timeout=30) as client:
        started = time.monotonic()
        reply = client.send_command("/sc while true do local t = game.tick end")
        assert time.monotonic() - started < _GENEROUS
        assert _WATCHDOG in reply
        assert client.send_command("/sc rcon.print('answering')") == "answering"


# -- memory -------------------------------------------------------------------------------------------------------


def test_an_allocation_past_the_memory_limit_fails_in_its_command_and_the_memory_comes_back():
    engine = Engine(seed=1, mods=[], starting_chunks=1, memory_limit=64 * 1024 * 1024)
    before = engine.level.memory_kb()
    reply, took = timed(engine, "local t = {} for i = 1, 1e8 do t[i] = i end")
    assert "not enough memory: the Lua state of level reached its limit of 64 MiB" in reply
    assert engine.level.memory_kb() - before < 8 * 1024
    # A string doubled in a loop outruns the hook's checks; the allocator stops it.
    reply, _ = timed(engine, "local s = 'x' for i = 1, 40 do s = s .. s end")
    assert "not enough memory" in reply
    assert engine.level.memory_kb() - before < 8 * 1024
    assert engine.execute_command("/sc rcon.print('fine')") == "fine"


def test_memory_a_command_let_go_of_is_given_back_when_it_ends():
    """Regression: memory grew to 2.9 GB over three commands and was not released: Lua's incremental collector
    keeps garbage until as much again has been allocated. After a call that grew its state a lot, the engine runs
    a full collection."""
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    before = engine.level.memory_kb()
    for _ in range(3):
        reply = engine.execute_command("/sc local s for i = 1, 3 do s = string.rep(tostring(i), 3e7) end rcon.print(#s)")
        assert reply == "30000000"
        assert engine.level.memory_kb() - before < 8 * 1024
