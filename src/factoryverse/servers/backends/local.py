"""The local backend: a headless Factorio binary on this machine (`--factorio-bin PATH` or $FACTORIO_BIN).

The instance folder is the game's write-data (config/config.ini), so its script-output/ and saves/ are where the
SDK and the map database look. A new game is first created with `--create` and `--map-gen-seed` into saves/, then
served with `--start-server`; a scenario with `--start-server-load-scenario`; a resume with
`--start-server-load-latest`. Readiness is the game's own log lines (see _readiness); stop is SIGINT, on which the
server saves and quits.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

from factoryverse import __version__ as _fv_version
from factoryverse.servers._instance_errors import EngineStartError, FactorioBinaryError, InstanceError, PortInUseError
from factoryverse.servers._ports import tcp_port_bindable
from factoryverse.servers._process import ProcessState, process_state, start_ticks, terminate
from factoryverse.servers.backends import _factorio_files as files
from factoryverse.servers.backends._readiness import identify_over_rcon, log_tail, wait_for_log
from factoryverse.servers.backends._spec import Launched, LaunchSpec, ServerHandle

__all__ = ["LocalBackend", "FACTORIO_BIN_ENV", "resolve_binary", "binary_version", "server_command"]

FACTORIO_BIN_ENV = "FACTORIO_BIN"
# A real server loads its data and mods in seconds; generous for a loaded machine, and bounded.
_READY_TIMEOUT_S = 120.0
_CREATE_TIMEOUT_S = 300.0
_VERSION_TIMEOUT_S = 60.0
# A quitting server writes its save first.
_STOP_TIMEOUT_S = 60.0
_VERSION = re.compile(r"^Version: (?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)", re.MULTILINE)


def resolve_binary(given: Path | None) -> Path:
    """The Factorio binary to run: `given`, else $FACTORIO_BIN; FactorioBinaryError if neither names a program."""
    if given is None:
        env = os.environ.get(FACTORIO_BIN_ENV)
        if not env:
            raise FactorioBinaryError(f"the local backend runs a headless Factorio binary: give --factorio-bin PATH "
                                      f"or set {FACTORIO_BIN_ENV} (e.g. ~/factorio/bin/x64/factorio)")
        given = Path(env)
    path = Path(given).expanduser()
    if not path.is_file():
        raise FactorioBinaryError(f"no Factorio binary at {path}: the file does not exist; give the path of "
                                  "bin/x64/factorio inside a Factorio headless install")
    if not os.access(path, os.X_OK):
        raise FactorioBinaryError(f"{path} is not executable; `chmod +x {path}` or give the right binary")
    return path.resolve()


def binary_version(binary: Path) -> str:
    """The full version (2.0.77) `binary --version` reports; FactorioBinaryError if it is not Factorio."""
    try:
        out = subprocess.run([str(binary), "--version"], capture_output=True, timeout=_VERSION_TIMEOUT_S,
                             stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise FactorioBinaryError(f"{binary} could not be run as Factorio (`{binary} --version`: {exc}); give the "
                                  "path of a Factorio headless binary") from exc
    text = out.stdout.decode("utf-8", errors="replace")
    m = _VERSION.search(text)
    if out.returncode != 0 or m is None:
        shown = (text + out.stderr.decode("utf-8", errors="replace")).strip()[:300] or "(nothing)"
        raise FactorioBinaryError(f"{binary} is not a Factorio binary: `--version` printed {shown!r} (exit "
                                  f"{out.returncode}); give the path of a Factorio headless binary")
    return f"{m['major']}.{m['minor']}.{m['patch']}"


def server_command(binary: Path, spec: LaunchSpec, *, config_ini: Path, settings: Path, mods: Path,
                   save: Path | None) -> list[str]:
    """The server's command line (for a new map, `save` is the one just created)."""
    cmd = [str(binary), "-c", str(config_ini)]
    if spec.scenario is not None:
        cmd += ["--start-server-load-scenario", spec.scenario, "--map-gen-seed", str(spec.seed)]
    elif spec.resume:
        cmd += ["--start-server-load-latest"]
    else:
        assert save is not None
        cmd += ["--start-server", str(save)]
    cmd += [
        "--port", str(spec.ports.game_udp),
        "--bind", "127.0.0.1",
        "--rcon-bind", f"127.0.0.1:{spec.ports.rcon}",
        # Factorio takes its RCON password only here: visible in `ps` to local users (docs/servers.md says so).
        "--rcon-password", spec.password,
        "--server-settings", str(settings),
        "--mod-directory", str(mods),
        # One UDP socket: where the mods' helpers.send_udp datagrams come from, and what the game receives on.
        "--enable-lua-udp", str(spec.ports.agent_udp[0]),
    ]
    return cmd


class LocalBackend:
    name = "local"
    # Real Factorio's saves (its /save, autosaves, the save it writes on SIGINT); a .fvsave is the engine's.
    save_suffixes = (".zip",)

    def launch(self, spec: LaunchSpec) -> Launched:
        if spec.mode != "realtime" or spec.speed != 1.0:
            raise InstanceError("a Factorio server runs in real time: drop --mode/--speed for --backend local "
                                "(set game.speed over RCON once it runs)")
        if spec.docker_image is not None:
            raise InstanceError("--docker-image is for --backend docker")
        binary = resolve_binary(spec.factorio_bin)
        full = binary_version(binary)
        runs_as = ".".join(full.split(".")[:2])
        if spec.factorio_version is not None and spec.factorio_version != runs_as:
            raise FactorioBinaryError(f"{binary} is Factorio {full}, not {spec.factorio_version}; give "
                                      f"--factorio-version {runs_as} or a {spec.factorio_version} binary")
        if spec.load is not None and not Path(spec.load).is_file():
            raise InstanceError(f"no save at {spec.load}; give a Factorio save (.zip)")
        config_ini = files.write_config_ini(spec.folder)
        settings = files.write_server_settings(spec.folder, autosave_minutes=spec.autosave_minutes,
                                               name=f"FactoryVerse instance {spec.instance_id}")
        mods = files.write_mods(spec.folder, runs_as, spec.mods_dir)
        spec.saves.mkdir(parents=True, exist_ok=True)
        save = Path(spec.load).resolve() if spec.load is not None else None
        if save is None and spec.scenario is None and not spec.resume:
            save = spec.saves / f"seed{spec.seed}-{time.strftime('%Y%m%d-%H%M%S')}.zip"
            self._create(binary, spec, config_ini, mods, save)
        cmd = server_command(binary, spec, config_ini=config_ini, settings=settings, mods=mods, save=save)
        offset = spec.log_path.stat().st_size if spec.log_path.exists() else 0
        with open(spec.log_path, "ab") as log:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True)
        ticks = start_ticks(proc.pid)
        try:
            _, port = wait_for_log(proc, spec.log_path, offset, _READY_TIMEOUT_S, f"Factorio ({binary})")
            ident = identify_over_rcon("127.0.0.1", port, spec.password)
        except EngineStartError as exc:
            _kill(proc)
            # The port was free when chosen; a server that died while another program holds it lost that race.
            if not tcp_port_bindable("127.0.0.1", spec.ports.rcon):
                raise PortInUseError(f"Factorio could not listen for RCON: port {spec.ports.rcon} was taken by "
                                     "another program after it was found free; run `fv server start` again") from exc
            raise
        except BaseException:
            _kill(proc)
            raise
        game_mods = dict(ident.get("mods") or {})
        base = str(game_mods.get("base", full))
        return Launched(
            pid=proc.pid, process_start=ticks, rcon_host="127.0.0.1", rcon_port=port,
            seed=int(ident.get("seed") or spec.seed), game_udp_port=spec.ports.game_udp,
            factoryverse_version=_fv_version, factorio_version=runs_as, factorio_base_version=base,
            factorio_api_version=full,
            mods={k: v for k, v in game_mods.items() if k not in ("base", "core")}, scenario=spec.scenario,
            factorio_bin=str(binary),
        )

    def _create(self, binary: Path, spec: LaunchSpec, config_ini: Path, mods: Path, save: Path) -> None:
        cmd = [str(binary), "-c", str(config_ini), "--create", str(save), "--map-gen-seed", str(spec.seed),
               "--mod-directory", str(mods)]
        with open(spec.log_path, "ab") as log:
            try:
                done = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      timeout=_CREATE_TIMEOUT_S)
            except subprocess.TimeoutExpired as exc:
                raise EngineStartError(f"creating the map timed out after {_CREATE_TIMEOUT_S:.0f} s; its log "
                                       f"({spec.log_path}) ends with:\n{log_tail(spec.log_path)}") from exc
        if done.returncode != 0 or not save.is_file():
            raise EngineStartError(f"creating the map ({' '.join(cmd)}) failed with exit code {done.returncode}; "
                                   f"its log ({spec.log_path}) ends with:\n{log_tail(spec.log_path)}")

    def state(self, handle: ServerHandle) -> ProcessState:
        return process_state(handle.pid, handle.process_start, _marker(handle))

    def stop(self, handle: ServerHandle, timeout: float) -> ProcessState:
        return terminate(handle.pid, handle.process_start, max(timeout, _STOP_TIMEOUT_S), marker=_marker(handle),
                         sig=signal.SIGINT)


def _marker(handle: ServerHandle) -> str:
    # The settings file is this instance's own: no other server's command line names it.
    return str(Path(handle.folder) / "config" / "server-settings.json")


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
