"""The game server in-process: the GameLoop's speed modes, and a GameServer answering real RCON clients, sending
real UDP datagrams and writing script-output files."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from factorio_rcon import AsyncRCONClient, InvalidPassword, RCONClient

from factoryverse.engine.engine import TICKS_PER_SECOND, Engine
from factoryverse.engine.errors import ModLoadError
from factoryverse.engine.server.instance import (
    GameLoop,
    GameLoopStopped,
    GameServer,
    ServerConfig,
)
from tests._support.background import BackgroundServer

from ._loop import ask, running

PASSWORD = "test-password"
TIMEOUT = 10.0


# -- GameLoop -------------------------------------------------------------------------------------------------


def tick(loop: GameLoop) -> int:
    return ask(loop, lambda e: e.tick)


def wait_for_ticks(loop: GameLoop, n: int) -> None:
    """Block until `loop` has advanced `n` ticks from now (bounded)."""
    target = tick(loop) + n
    deadline = time.monotonic() + TIMEOUT
    while tick(loop) < target:
        assert time.monotonic() < deadline, f"loop did not advance {n} ticks within {TIMEOUT}s"


def test_paused_loop_answers_commands_without_ticking():
    with running("paused") as paused, running("realtime") as clock:
        before = tick(paused)
        wait_for_ticks(clock, 10)  # a sixth of a second of game time passes elsewhere
        assert ask(paused, lambda e: e.execute_command("/sc rcon.print(game.tick)")) == str(before)
        assert tick(paused) == before


def test_game_tick_paused_stops_a_running_loop():
    with running("realtime") as loop, running("realtime") as clock:
        ask(loop, lambda e: e.execute_command("/sc game.tick_paused = true"))
        frozen = tick(loop)
        wait_for_ticks(clock, 10)
        assert tick(loop) == frozen
        ask(loop, lambda e: e.execute_command("/sc game.tick_paused = false"))
        wait_for_ticks(loop, 3)


def test_fast_loop_outruns_real_time():
    with running("fast") as fast, running("realtime") as clock:
        start_fast = tick(fast)
        wait_for_ticks(clock, 6)
        # Real time gave 6 ticks; an empty map in fast mode manages thousands in that time on any machine.
        assert tick(fast) - start_fast > 60


def test_realtime_loop_runs_near_sixty_ticks_per_second():
    with running("realtime") as loop:
        t0, k0 = time.monotonic(), tick(loop)
        k1 = k0
        while time.monotonic() - t0 < 0.5:
            k1 = tick(loop)
        elapsed = time.monotonic() - t0
        ups = (k1 - k0) / elapsed
    # A wide margin: this checks the pacing, not the machine's speed.
    assert 20 <= ups <= 100, f"{ups:.1f} UPS, expected about {TICKS_PER_SECOND}"


def test_speed_scales_realtime():
    with running("realtime", speed=1.0) as normal, running("realtime", speed=2.0) as double:
        a0, b0 = tick(normal), tick(double)
        wait_for_ticks(normal, 30)
        a, b = tick(normal) - a0, tick(double) - b0
    assert 1.4 <= b / a <= 2.8, f"speed 2 ran {b} ticks while speed 1 ran {a}"


def test_a_job_error_goes_back_to_its_submitter_and_the_loop_goes_on():
    with running("realtime") as loop:
        with pytest.raises(ZeroDivisionError):
            ask(loop, lambda e: 1 / 0)
        wait_for_ticks(loop, 2)


def test_engine_that_fails_to_start_reports_its_error(tmp_path):
    loop = GameLoop(lambda: Engine(seed=1, mods_dir=tmp_path / "missing", starting_chunks=1))
    loop.start()
    assert loop.ready.wait(TIMEOUT)
    assert isinstance(loop.error, ModLoadError)
    loop.stop()


# -- GameServer over RCON -------------------------------------------------------------------------------------


class ServerThread(BackgroundServer):
    """A GameServer on an asyncio loop in a background thread, so blocking clients can talk to it."""

    def __init__(self, config: ServerConfig):
        super().__init__(GameServer(config), timeout=TIMEOUT)

    @property
    def port(self) -> int:
        return self.server.rcon.port


@pytest.fixture(scope="module")
def script_output(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("script-output")


@pytest.fixture(scope="module")
def served(script_output) -> Iterator[ServerThread]:
    # The repository's own mods, as `fv serve` runs them.
    config = ServerConfig(seed=1, rcon_port=0, rcon_password=PASSWORD, script_output=script_output, mode="realtime")
    with ServerThread(config) as harness:
        yield harness


def client(served: ServerThread, password: str = PASSWORD) -> RCONClient:
    return RCONClient("127.0.0.1", served.port, password, timeout=TIMEOUT)


def test_sync_client_reads_game_tick(served):
    with client(served) as c:
        first = int(c.send_command("/sc rcon.print(game.tick)"))
        assert first >= 0
        assert c.send_command("/sc rcon.print(1 + 2)") == "3"


def test_lua_error_comes_back_as_text_and_the_server_keeps_serving(served):
    with client(served) as c:
        reply = c.send_command("/sc error('deliberate')")
        assert reply.startswith("Cannot execute command. Error: ")
        assert "deliberate" in reply
        assert c.send_command("/sc rcon.print('still here')") == "still here"


@pytest.mark.parametrize("size", [4097, 100_000])
def test_reply_larger_than_one_packet(served, size):
    with client(served) as c:
        reply = c.send_command(f"/sc rcon.print(string.rep('ab', {size // 2}) .. 'z')")
    assert reply == "ab" * (size // 2) + "z"


def test_pipelined_commands_each_get_their_own_reply(served):
    commands = {i: f"/sc rcon.print('reply ' .. {i})" for i in range(25)}
    with client(served) as c:
        replies = c.send_commands(commands)
    assert replies == {i: f"reply {i}" for i in range(25)}


def test_async_client(served):
    async def talk() -> tuple[str | None, dict[str, str | None]]:
        c = AsyncRCONClient("127.0.0.1", served.port, PASSWORD)
        await c.connect()
        try:
            one = await c.send_command("/sc rcon.print('async ' .. 1)")
            many = await c.send_commands({k: f"/sc rcon.print('{k}')" for k in ("x", "y", "z")})
        finally:
            await c.close()
        return one, many

    one, many = asyncio.run(asyncio.wait_for(talk(), TIMEOUT))
    assert one == "async 1"
    assert many == {"x": "x", "y": "y", "z": "z"}


def test_wrong_password_is_rejected(served):
    with pytest.raises(InvalidPassword):
        client(served, password="not the password")
    with client(served) as c:
        assert c.send_command("/sc rcon.print('ok')") == "ok"


def test_send_udp_delivers_a_real_datagram(served):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(TIMEOUT)
        port = sock.getsockname()[1]
        with client(served) as c:
            assert c.send_command(f"/sc helpers.send_udp({port}, helpers.table_to_json({{hello = 'udp'}}))") is None
        data, _ = sock.recvfrom(65536)
    assert data == b'{"hello":"udp"}'


def test_write_file_under_script_output(served, script_output):
    with client(served) as c:
        c.send_command("/sc helpers.write_file('test_instance/out.txt', 'first\\n')")
        c.send_command("/sc helpers.write_file('test_instance/out.txt', 'second\\n', true)")
        reply = c.send_command("/sc helpers.write_file('../outside.txt', 'no')")
    assert (script_output / "test_instance" / "out.txt").read_text(encoding="utf-8") == "first\nsecond\n"
    assert "must stay inside script-output" in reply
    assert not (script_output.parent / "outside.txt").exists()


def test_mods_are_loaded_in_the_served_game(served):
    with client(served) as c:
        reply = c.send_command("/sc local n = {} for name in pairs(script.active_mods) do n[#n + 1] = name end table.sort(n) rcon.print(table.concat(n, ','))")
    assert reply == "base,core,fv_embodied_agent,fv_placement_hints,fv_snapshot"


def test_server_start_fails_for_a_bad_mods_folder(tmp_path):
    config = ServerConfig(rcon_port=0, rcon_password=PASSWORD, mods_dir=tmp_path / "nowhere")

    async def start() -> None:
        server = GameServer(config)
        try:
            await server.start()
        finally:
            server.loop.stop()

    with pytest.raises(ModLoadError, match="does not exist"):
        asyncio.run(asyncio.wait_for(start(), TIMEOUT))


# -- the game thread stopping -----------------------------------------------------------------------------------


class _TickFailure(RuntimeError):
    pass


def _break_ticks(loop: GameLoop) -> None:
    """Make every later tick's world update raise, as an engine bug inside a tick would; return once one has."""
    exploded = threading.Event()

    def patch(engine: Engine) -> None:
        def broken_update() -> None:
            exploded.set()
            raise _TickFailure("injected failure inside world.update")

        engine.world.update = broken_update  # type: ignore[method-assign]

    loop.submit(patch).result(TIMEOUT)
    assert exploded.wait(TIMEOUT), "no tick ran after the patch"


def test_an_error_inside_a_tick_fails_later_jobs_promptly():
    """Regression: an exception raised inside engine.step() killed the game thread silently, and every later
    submitted job (every RCON command) waited forever; now they fail at once with the reason."""
    loop = GameLoop(lambda: Engine(seed=1, mods=[], starting_chunks=1), mode="fast")
    loop.start()
    assert loop.ready.wait(TIMEOUT)
    try:
        _break_ticks(loop)
        for _ in range(2):  # whether the thread has already refused the queue or does so once it sees the error
            with pytest.raises(GameLoopStopped) as caught:
                loop.submit(lambda e: e.tick).result(TIMEOUT)
            assert str(caught.value) == (
                "the game thread stopped after an internal error: _TickFailure: injected failure inside "
                "world.update; restart the server"
            )
        assert isinstance(loop.error, _TickFailure)
    finally:
        loop.stop()


def test_stop_fails_jobs_still_queued():
    """Regression: stop() left queued jobs unanswered, so their submitters waited forever."""
    loop = GameLoop(lambda: Engine(seed=1, mods=[], starting_chunks=1), mode="paused")
    # Never started: nothing will ever run these.
    queued = loop.submit(lambda e: e.tick)
    loop.stop()
    with pytest.raises(GameLoopStopped, match="has stopped"):
        queued.result(TIMEOUT)
    with pytest.raises(GameLoopStopped, match="has stopped"):
        loop.submit(lambda e: e.tick).result(TIMEOUT)


def test_rcon_reply_says_the_game_thread_stopped():
    """Regression: after an internal error in a tick the served game's thread was gone and an RCON command never got
    a reply; now the client reads why, right away."""
    config = ServerConfig(seed=1, rcon_port=0, rcon_password=PASSWORD, mode="fast")
    with ServerThread(config) as harness:
        _break_ticks(harness.server.loop)
        with client(harness) as c:
            reply = c.send_command("/sc rcon.print(game.tick)")
    assert reply is not None
    assert reply.startswith("Error: the game thread stopped after an internal error: _TickFailure: ")
    assert reply.endswith("; restart the server")
