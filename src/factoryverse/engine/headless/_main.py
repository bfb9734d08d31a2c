"""The process: parse the command line, log the banner, run the action, turn every failure into `Error ...` and
exit code 1 (a bad command line: the game's text and the usage, exit code 1)."""

from __future__ import annotations

import asyncio
import datetime
import os
import platform
import sys
from pathlib import Path

import factoryverse
from factoryverse.engine.errors import EngineError, ModLoadError
from factoryverse.engine.headless._create import create_map
from factoryverse.engine.headless._errors import OptionError
from factoryverse.engine.headless._log import ServerLog
from factoryverse.engine.headless._options import NOT_APPLIED, Options, parse_options, usage
from factoryverse.engine.headless._plan import VERSION_ENV, Plan, make_plan, running_version
from factoryverse.engine.headless._serve import serve
from factoryverse.engine.mods import ModVersionMismatchError
from factoryverse.engine.prototype_sources import data_root
from factoryverse.engine.server.rcon import RconServerError

__all__ = ["main", "version_text"]

_BUILD = f"build 0, {platform.system().lower()}64, headless, factoryverse-engine {factoryverse.__version__}"


def version_text() -> str:
    """What `--version` prints, the game's layout with the engine named in the build line."""
    v = running_version()
    return f"Version: {v.base} ({_BUILD})\nBinary version: 64\nMap input version: 2.0.0-0\n" \
           f"Map output version: {v.base}-0\n"


def _arguments(opts: Options) -> str:
    shown = []
    hide = False
    for arg in opts.argv:
        shown.append("<private>" if hide else f'"{arg}"')
        hide = arg == "--rcon-password"
        if arg.startswith("--rcon-password="):
            shown[-1] = '"--rcon-password=<private>"'
    return " ".join(['"factorio"', *shown])


def _banner(opts: Options, log: ServerLog) -> None:
    v = running_version()
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    log.line(f"{now}; Factorio {v.base} ({_BUILD})")
    log.line(f"Operating system: {platform.system()}")
    log.line(f"Program arguments: {_arguments(opts)}")
    log.line(f"Read data path: {data_root(v)}")
    log.line("Running in headless mode (the FactoryVerse embedded engine, not the game: docs/headless.md)")


def _report_plan(plan: Plan, opts: Options, log: ServerLog) -> None:
    log.line(f"Write data path: {plan.write_data.root}")
    log.line(f"Mod directory: {plan.mods_dir}")
    for name in ("core", "base"):
        log.line(f"Loading mod {name} {plan.version.base} (data.lua)")
    for name in plan.mods.disabled:
        log.info("ModManager.cpp", f"Mod {name} is disabled in {plan.mods_dir / 'mod-list.json'}; not loading it")
    for name in plan.mods.missing:
        log.warning("ModManager.cpp", f"Mod {name} is enabled in mod-list.json but not in {plan.mods_dir}")
    for name in NOT_APPLIED:
        if name in opts.given:
            log.info("CommandLine.cpp", f"--{name} is accepted and not applied by the embedded engine")
    if "enable-lua-udp" in opts.given:
        log.info("CommandLine.cpp", "--enable-lua-udp: helpers.send_udp is always enabled in the embedded engine")
    if plan.server.not_applied:
        log.info("ServerSettings.cpp", "server settings read and not applied (no game clients): "
                                       + ", ".join(plan.server.not_applied))
    if plan.map_gen.not_applied:
        log.info("MapGenSettings.cpp", "map generation settings read and not applied (the engine takes the seed "
                                       "only): " + ", ".join(plan.map_gen.not_applied))
    if plan.action in ("create", "start-server-load-scenario"):
        log.info("Main.cpp", f"Map seed {plan.seed}")


def _where(e: BaseException) -> str:
    return "ModManager.cpp" if isinstance(e, ModLoadError) else "Main.cpp"


def _message(e: BaseException) -> str:
    text = f"{e}"
    if isinstance(e, ModVersionMismatchError):
        text += (f" (this command line runs as the Factorio version in ${VERSION_ENV}, now "
                 f"{os.environ.get(VERSION_ENV) or '2.0 by default'})")
    return text


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        opts = parse_options(argv)
        if opts.flag("help"):
            print(usage(), flush=True)
            return 0
        if opts.flag("version"):
            print(version_text(), end="", flush=True)
            return 0
    except OptionError as e:
        print(f"{e}\n\n{usage()}", flush=True)
        return 1
    except EngineError as e:  # a bad $FACTORYVERSE_FACTORIO_VERSION
        print(f"Error: {e}", flush=True)
        return 1
    log = ServerLog()
    console_log = opts.path("console-log")
    try:
        if console_log is not None:
            log.copy_to(Path(console_log).open("a", encoding="utf-8"))
        log.capture_engine_logs(verbose=opts.flag("verbose"))
        _banner(opts, log)
        plan = make_plan(opts)
        _report_plan(plan, opts, log)
        if plan.action == "create":
            return create_map(plan, log)
        return asyncio.run(serve(plan, log))
    except OptionError as e:
        log.error("CommandLine.cpp", f"{e}")
        return 1
    except (EngineError, RconServerError, OSError) as e:
        log.error(_where(e), _message(e))
        return 1
    except Exception as e:  # a bug of ours: still one Error line and exit 1, as the game fails
        log.error("Main.cpp", f"internal error {type(e).__name__}: {e}")
        return 1
