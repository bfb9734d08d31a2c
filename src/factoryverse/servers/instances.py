"""Server instances as the CLI manages them: one game server each, described by a JSON file on disk.

The game runs on a backend (servers/backends: the embedded engine by default, a local Factorio binary, or docker);
the record names it, and the backend tells whether the server still lives and stops it. Instance i has every port
of the seed's scheme (servers/ports.py: RCON 27000+i, game UDP 34197+i, snapshot UDP 34400+i, agent UDP
34202+10i..+9) whenever those ports are free; otherwise it gets free ones, the record says which and
`port_notes` says why. Each instance has a folder under the state home with its script-output, its saves, its
DuckDB file and its log.

Every start is a new game run with its own run id (chosen here, outside the game: the game's Lua has no clock and
its `math.random` follows the map seed), also a start from a save (`load`, `latest_save` for a resume). The folder's
previous script-output and database are removed first, so a run is never read through an old run's files; the
previous log is kept as server.log.1, and the folder's `saves/` (where the game's /save, game.server_save and
autosaves go) is always kept.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
import uuid
from dataclasses import asdict
from pathlib import Path

from factorio_rcon import RCONClient

from factoryverse.engine.factorio_versions import DEFAULT_FACTORIO_VERSION, VERSIONS
from factoryverse.engine.save import CorruptSaveError
from factoryverse.engine.save.savefile import read_save
from factoryverse.servers._instance_errors import (
    BackendUnavailableError,
    EngineStartError,
    FactorioBinaryError,
    InstanceBusyError,
    InstanceError,
    PortInUseError,
)
from factoryverse.servers._process import ProcessState
from factoryverse.servers._records import (
    Instance,
    list_instances,
    read_record,
    record_path,
    state_home,
    write_private_json,
)
from factoryverse.servers._reservations import release, replan, reserve
from factoryverse.servers.backends import BACKENDS, LaunchSpec, get_backend
from factoryverse.servers.backends.embedded import PASSWORD_ENV
from factoryverse.servers.ports import (
    MAX_INSTANCES,
    RCON_BASE_PORT,
    SNAPSHOT_UDP_BASE_PORT,
    PortPlan,
    fallback_notes,
)

__all__ = [
    "Instance",
    "InstanceError",
    "InstanceBusyError",
    "PortInUseError",
    "EngineStartError",
    "BackendUnavailableError",
    "FactorioBinaryError",
    "BACKENDS",
    "ProcessState",
    "state_home",
    "list_instances",
    "start_instance",
    "stop_instance",
    "configure_instance",
    "RCON_BASE_PORT",
    "SNAPSHOT_UDP_BASE_PORT",
    "MAX_INSTANCES",
    "PASSWORD_ENV",
    "DEFAULT_SEED",
    "DEFAULT_AUTOSAVE_MINUTES",
    "latest_save",
    "saves_folder",
]

# `fv server start` and `fv demo` both default to it, so the README's flow shows one map.
DEFAULT_SEED = 1
# Game minutes between autosaves (Factorio's server-settings.json default); 0 turns them off.
DEFAULT_AUTOSAVE_MINUTES = 10.0
# What fv_snapshot accepts as a run id; also keeps the id safe to put inside a Lua string literal.
_RUN_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def saves_folder(instance_id: int) -> Path:
    """Instance `instance_id`'s saves folder (whether or not it exists)."""
    return record_path(instance_id).parent / "saves"


def latest_save(instance_id: int, backend: str = "embedded") -> Path:
    """The newest save (by modification time, then name) of `backend`'s kind in instance `instance_id`'s saves
    folder: what `fv server start --resume ID --backend BACKEND` loads, and what hot reload starts a crashed server
    from. The embedded engine's saves are .fvsave, real Factorio's (local, docker) .zip: saves/ outlives a run, so it
    may hold the other kind, which that backend's game cannot load. InstanceError naming the folder when it has none.
    """
    if not 0 <= instance_id < MAX_INSTANCES:
        raise InstanceError(f"instance ids are 0 to {MAX_INSTANCES - 1}, got {instance_id}")
    suffixes = get_backend(backend).save_suffixes
    folder = saves_folder(instance_id)
    saves = [p for p in folder.iterdir() if p.suffix in suffixes and p.is_file()] if folder.is_dir() else []
    if not saves:
        kinds = " or ".join(f"*{suffix}" for suffix in suffixes)
        raise InstanceError(f"instance {instance_id} has no save to resume on the {backend} backend: {folder} holds "
                            f"no {kinds} file; save a running game with /save or game.server_save(), or start a new "
                            "one")
    return max(saves, key=lambda p: (p.stat().st_mtime_ns, p.name))


def _fresh_folder(folder: Path) -> None:
    """Remove the previous game's files so the new game cannot be read through them; keep its log as .1. Its
    saves/ stays: they are the user's games, and a resume loads from there."""
    shutil.rmtree(folder / "script-output", ignore_errors=True)
    shutil.rmtree(folder / "mods", ignore_errors=True)
    for name in ("factoryverse.duckdb", "factoryverse.duckdb.wal", "instance.json"):
        try:
            (folder / name).unlink()
        except FileNotFoundError:
            pass
    log = folder / "server.log"
    if log.exists():
        os.replace(log, folder / "server.log.1")
    (folder / "script-output").mkdir()


# -- starting ----------------------------------------------------------------------------------------------------


def start_instance(
    instance_id: int | None = None,
    *,
    seed: int = DEFAULT_SEED,
    mode: str = "realtime",
    speed: float = 1.0,
    mods_dir: Path | None = None,
    rcon_password: str | None = None,
    factorio_version: str | None = None,
    load: Path | None = None,
    autosave_minutes: float = DEFAULT_AUTOSAVE_MINUTES,
    backend: str = "embedded",
    scenario: str | None = None,
    resume: bool = False,
    factorio_bin: Path | None = None,
    docker_image: str | None = None,
    ports: PortPlan | None = None,
) -> Instance:
    """Start one game server as a new game and return once it answers on RCON.

    The id is the lowest free one unless `instance_id` is given; the instance gets fresh script-output and database
    state and a new run id. `rcon_password` sets a known password (default: a random one). Call
    configure_instance next: fv_snapshot writes nothing until it has the run id.

    `backend` is where the game runs: "embedded" (the engine, default), "local" (the headless Factorio binary
    `factorio_bin`, or $FACTORIO_BIN) or "docker" (the factoriotools/factorio image, or `docker_image`).
    `scenario` ([mod/]name) starts that scenario instead of a new map. `ports` (a restart's previous ports, e.g. a
    hot reload's) are wanted instead of the scheme's where still free.

    `load` starts from a save (e.g. latest_save(id); a .zip on local and docker) instead of a new map: an embedded
    save is read and checked first, so a missing or corrupt one fails before anything starts; the game keeps the
    save's seed and tick and gets a new run id. `resume` (local and docker) lets the game load the newest save in
    the instance's saves/ itself. The game's /save, game.server_save() and autosaves (every `autosave_minutes` game
    minutes, 0 = off) go to the instance folder's saves/.

    The game runs as Factorio `factorio_version` ("2.0" or "2.1"; default 2.0, a loaded save's, or a local
    binary's own). Without `mods_dir`, the repository's mods are packaged for that version into the instance
    folder's ``mods/`` (as a real server of that version needs them); a given `mods_dir` is used as it is, and a
    mod in it declaring another version fails the start.
    """
    engine = get_backend(backend)
    if autosave_minutes < 0:
        raise InstanceError(f"autosave minutes must be 0 (off) or more, got {autosave_minutes}")
    if mode not in ("realtime", "fast", "paused"):
        raise InstanceError(f"mode must be realtime, fast or paused, not {mode!r}")
    if load is not None and resume:
        raise InstanceError("give a save to load or resume, not both")
    if scenario is not None and (load is not None or resume):
        raise InstanceError("a scenario starts a new game: drop the save to load (or the resume) or the scenario")
    if scenario is not None and not scenario.strip("/"):
        raise InstanceError("the scenario name is empty; give NAME or MOD/NAME (e.g. fv_embodied_agent/test-ground)")
    if load is not None and backend == "embedded":
        try:
            header, _ = read_save(Path(load))
        except CorruptSaveError as exc:
            raise InstanceError(f"cannot start from {load}: {exc}") from exc
        if factorio_version is not None and factorio_version != header.factorio_version:
            raise InstanceError(f"{load} is a Factorio {header.factorio_version} game; start it without "
                                f"--factorio-version or with {header.factorio_version}")
        factorio_version = header.factorio_version
    if load is not None:
        load = Path(load).resolve()
    if backend == "embedded":
        if resume:
            raise InstanceError("the embedded backend resumes from a save file: pass load=latest_save(id)")
        factorio_version = factorio_version or DEFAULT_FACTORIO_VERSION
    if factorio_version is not None and factorio_version not in VERSIONS:
        raise InstanceError(f"Factorio version {factorio_version!r} is not one a server runs as; give one of "
                            f"{', '.join(sorted(VERSIONS))}")
    if rcon_password is not None and not rcon_password:
        raise InstanceError("the RCON password is empty; give a non-empty one or none for a random password")
    if instance_id is not None and not 0 <= instance_id < MAX_INSTANCES:
        raise InstanceError(f"instance ids are 0 to {MAX_INSTANCES - 1}, got {instance_id}; or give none for a free one")
    # Only the embedded engine binds port 0 and reports what it got; a real server is given a free port.
    iid, plan = reserve(instance_id, rcon_any=backend == "embedded", prefer=ports)
    try:
        folder = record_path(iid).parent
        _fresh_folder(folder)
        spec = LaunchSpec(
            instance_id=iid, folder=folder, ports=plan, password=rcon_password or secrets.token_urlsafe(12),
            seed=seed, factorio_version=factorio_version, mods_dir=mods_dir, load=load, resume=resume,
            scenario=scenario, autosave_minutes=autosave_minutes, mode=mode, speed=speed,
            factorio_bin=factorio_bin, docker_image=docker_image,
        )
        run_id = uuid.uuid4().hex
        started_at = time.time()
        try:
            ready = engine.launch(spec)
        except PortInUseError:
            # The RCON port was free when chosen and another program bound it first: once more, on another port
            # (the embedded engine then binds port 0 itself and cannot lose the race again).
            spec.ports = plan = replan(iid, plan, rcon_any=backend == "embedded")
            ready = engine.launch(spec)
        plan.rcon = ready.rcon_port
        plan.game_udp = ready.game_udp_port
        inst = Instance(
            id=iid,
            pid=ready.pid,
            rcon_host=ready.rcon_host,
            rcon_port=ready.rcon_port,
            rcon_password=spec.password,
            snapshot_udp_port=plan.snapshot_udp,
            seed=ready.seed,
            folder=str(folder),
            started_at=started_at,
            mode=mode,
            run_id=run_id,
            process_start=ready.process_start,
            factoryverse_version=ready.factoryverse_version,
            factorio_version=ready.factorio_version,
            factorio_base_version=ready.factorio_base_version,
            factorio_api_version=ready.factorio_api_version,
            mods=dict(ready.mods),
            backend=backend,
            game_udp_port=ready.game_udp_port,
            agent_udp_ports=list(plan.agent_udp),
            port_notes=fallback_notes(iid, plan),
            scenario=ready.scenario,
            container=ready.container,
            factorio_bin=ready.factorio_bin,
        )
        write_private_json(record_path(iid), asdict(inst))
        return inst
    finally:
        release(iid)


# -- stopping and configuring ------------------------------------------------------------------------------------


def stop_instance(inst: Instance, timeout: float = 10.0) -> bool:
    """Stop the server as its backend does (the engine: SIGTERM, wait, then SIGKILL; a real Factorio server: SIGINT,
    on which it saves and quits), only if it is still this instance's server; removes the record.

    Returns whether the server was running. A pid that now names another process is never signalled.
    """
    state = get_backend(inst.backend).stop(inst, timeout)
    record = record_path(inst.id)
    # Only this run's record: a newer start may have reused the id since `inst` was read.
    current = read_record(record)
    if current is not None and (current.pid, current.process_start) == (inst.pid, inst.process_start):
        record.unlink(missing_ok=True)
    return state is ProcessState.RUNNING


def configure_instance(inst: Instance) -> float:
    """First RCON command: give fv_snapshot its run id and delta UDP port. Returns the round trip in s.

    Each mod works alone, so a game without fv_snapshot (no `map` interface) is left as it is: it writes no
    snapshot files and has no map database, and everything else works (`fv server start` says so).
    """
    if not _RUN_ID.fullmatch(inst.run_id):
        raise InstanceError(
            f"instance {inst.id} has no valid run id ({inst.run_id!r}; a record from an older fv?); restart it with "
            f"`fv server stop {inst.id}` and `fv server start`"
        )
    t0 = time.perf_counter()
    client = RCONClient(inst.rcon_host, inst.rcon_port, inst.rcon_password, connect_on_init=True)
    try:
        reply = client.send_command(
            "/sc if not remote.interfaces['map'] then rcon.print('ok') return end "
            "local ok, err = pcall(remote.call, 'map', 'set_snapshot_config', {udp_port=%d, run_id='%s'}) "
            "rcon.print(ok and 'ok' or tostring(err))" % (inst.snapshot_udp_port, inst.run_id)
        )
    finally:
        client.close()
    if (reply or "").strip() != "ok":
        raise InstanceError(f"instance {inst.id} answered RCON but could not configure fv_snapshot: {reply}")
    return time.perf_counter() - t0
