"""Running the server: the engine's GameServer (engine/server/instance.py) configured from the plan, its life logged
as a real server logs it, and a save to the running save on SIGINT/SIGTERM before a clean exit.

The game runs at real time (60 UPS times game.speed), as a real server does.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from factoryverse.engine.engine import Engine
from factoryverse.engine.headless._log import ServerLog
from factoryverse.engine.headless._plan import Plan
from factoryverse.engine.headless._saves import saved_tick, write_game
from factoryverse.engine.save.savefile import SAVE_SUFFIX
from factoryverse.engine.server.instance import GameServer, ServerConfig

__all__ = ["serve", "QUIT_SAVE_TIMEOUT"]

# Bounded wait for the save on quit: a save takes well under a second (benchmarks/save_load.py).
QUIT_SAVE_TIMEOUT = 120.0
_MP = "ServerMultiplayerManager.cpp"


def _running_save(plan: Plan) -> Path:
    """The file the game saves to on quit: the one it was started from, or (a scenario) one named after it."""
    if plan.save is not None:
        return plan.save
    assert plan.scenario is not None
    return plan.write_data.saves / f"{plan.scenario.rstrip('/').rpartition('/')[2]}.zip"


def _config(plan: Plan) -> ServerConfig:
    return ServerConfig(
        seed=plan.seed, rcon_host=plan.rcon.host, rcon_port=plan.rcon.port, rcon_password=plan.rcon.password,
        script_output=plan.write_data.script_output, mods_dir=plan.mods_dir, mode="realtime",
        factorio_version=plan.version.name, saves_dir=plan.write_data.saves,
        autosave_minutes=plan.server.autosave_minutes, autosave_slots=plan.server.autosave_slots,
        load=plan.save if plan.scenario is None else None, mods=plan.mods.enabled,
        # [MOD/]NAME as the game takes it; engine/scenarios.py finds it in the loaded mods (a typed error lists
        # the scenarios there are).
        scenario=plan.scenario,
    )


def _name_saves_after(save: Path):
    # /save and game.server_save() without a name write <saves>/<stem>.fvsave, beside autosaves.
    stem = save.name.removesuffix(SAVE_SUFFIX).removesuffix(".zip")

    def job(engine: Engine) -> None:
        engine.saves.name = stem
    return job


async def serve(plan: Plan, log: ServerLog) -> int:
    received: asyncio.Queue[signal.Signals] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, received.put_nowait, sig)
    running = _running_save(plan)
    tick = 0
    if plan.action != "start-server-load-scenario":
        tick = saved_tick(running)
        log.line(f"Loading map {running}: {running.stat().st_size} bytes.")
    log.info(_MP, f"updateTick({tick}) changing state from(Ready) to(PreparedToHostGame)")
    log.info(_MP, f"updateTick({tick}) changing state from(PreparedToHostGame) to(CreatingGame)")
    server = GameServer(_config(plan))
    try:
        await server.start()
    except BaseException:
        server.loop.stop()
        raise
    try:
        for name, version in server.loaded_mods().items():
            log.line(f"Loading mod {name} {version} (control.lua)")
        await asyncio.wrap_future(server.loop.submit(_name_saves_after(running)))
        log.info("UDPSocket.cpp", f"the embedded engine serves no game clients: nothing listens at "
                                  f"IP ADDR:({{{plan.game_bind}}}) (--port/--bind are accepted and not opened)")
        if plan.server.name:
            log.info(_MP, f"Server name: {plan.server.name}")
        if plan.rcon.announced:
            log.info("RemoteCommandProcessor.cpp",
                     f"Starting RCON interface at IP ADDR:({{{plan.rcon.host}:{server.rcon.port}}})")
        log.info(_MP, f"updateTick({tick}) changing state from(CreatingGame) to(InGame)")
        sig = await received.get()
        return await _quit(server, running, sig, log)
    finally:
        await server.stop()


async def _quit(server: GameServer, running: Path, sig: signal.Signals, log: ServerLog) -> int:
    log.line(f"Received {sig.name}, shutting down")
    log.line("Quitting: signal.")
    log.info("MainLoop.cpp", f"Saving map as {running}")
    future = server.loop.submit(lambda engine: (engine.tick, write_game(engine, running)))
    try:
        tick, size = await asyncio.wait_for(asyncio.wrap_future(future), QUIT_SAVE_TIMEOUT)
    except Exception as e:
        log.error("MainLoop.cpp", f"Saving map as {running} failed: {type(e).__name__}: {e}")
        return 1
    log.info("MainLoop.cpp", f"Saving finished: {size} bytes at tick {tick}")
    log.info(_MP, f"updateTick({tick}) changing state from(InGame) to(Disconnected)")
    await server.stop()
    log.line("Goodbye")
    return 0
