"""Embedded server instances as the CLI manages them: one OS process each, described by a JSON file on disk.

Instance i listens for RCON on 27000+i and is told to send snapshot deltas to UDP 34400+i (the seed's port scheme)
whenever those ports can be bound; otherwise it gets free ones and `rcon_port`/`snapshot_udp_port` say which.
Each instance has a folder under the state home with its script-output, its DuckDB file and its log.

Every start is a new game run with its own run id (chosen here, outside the game: the game's Lua has no clock and
its `math.random` follows the map seed), also a start from a save (`load`, `latest_save` for a resume). The folder's
previous script-output and database are removed first, so a run is never read through an old run's files; the
previous log is kept as server.log.1, and the folder's `saves/` (where the game's /save, game.server_save and
autosaves go) is always kept.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import selectors
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from factorio_rcon import RCONClient

from factoryverse.engine.factorio_versions import DEFAULT_FACTORIO_VERSION, VERSIONS
from factoryverse.engine.save import CorruptSaveError, SAVE_SUFFIX
from factoryverse.engine.save.savefile import read_save
from factoryverse.servers._ports import pick_udp_port, tcp_port_bindable, udp_port_free
from factoryverse.servers._process import ProcessState, process_state, same_process, start_ticks, terminate
from factoryverse.servers.mod_packages import ModPackageError, package_mods

__all__ = [
    "Instance",
    "InstanceError",
    "InstanceBusyError",
    "PortInUseError",
    "EngineStartError",
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
RCON_BASE_PORT = 27000
SNAPSHOT_UDP_BASE_PORT = 34400
MAX_INSTANCES = 100
# The engine reads its RCON password from here: the environment is readable only by its owner, a command line by all.
PASSWORD_ENV = "FACTORYVERSE_RCON_PASSWORD"
# A cold start loads prototypes and generates the starting chunks; several starting at once share the cores.
_READY_TIMEOUT_S = 60.0
_RESERVATION = "reserved.json"
# What fv_snapshot accepts as a run id; also keeps the id safe to put inside a Lua string literal.
_RUN_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class InstanceError(Exception):
    """An instance could not be started, found or stopped; the message says what to do."""


class InstanceBusyError(InstanceError):
    """The instance id asked for is running or being started by another command."""


class PortInUseError(InstanceError):
    """The engine could not bind its RCON port: another program took it."""


class EngineStartError(InstanceError):
    """The engine process exited or did not become ready; the message holds the end of its log."""


def state_home() -> Path:
    home = os.environ.get("FACTORYVERSE_HOME")
    path = Path(home) if home else Path.home() / ".local" / "state" / "factoryverse"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Instance:
    id: int
    pid: int
    rcon_host: str
    rcon_port: int
    rcon_password: str
    snapshot_udp_port: int
    seed: int
    folder: str
    started_at: float
    mode: str = "realtime"
    # The game's identity, given to fv_snapshot by configure_instance; empty in records older than run ids.
    run_id: str = ""
    # The engine process's start time (clock ticks since boot): with the pid, it tells our engine from a later
    # process that got the same pid. None in older records, which are checked by command line only.
    process_start: int | None = None
    # What the engine reported it runs: the package version, the one Factorio version the game runs as (major.minor),
    # the version of its base game data and of its runtime API, and the mods it loaded (name -> version).
    factoryverse_version: str = ""
    factorio_version: str = ""
    factorio_base_version: str = ""
    factorio_api_version: str = ""
    mods: dict[str, str] = field(default_factory=dict)

    @property
    def script_output(self) -> Path:
        return Path(self.folder) / "script-output"

    @property
    def db_path(self) -> Path:
        return Path(self.folder) / "factoryverse.duckdb"

    @property
    def saves(self) -> Path:
        return Path(self.folder) / "saves"

    @property
    def log_path(self) -> Path:
        return Path(self.folder) / "server.log"

    def process_state(self) -> ProcessState:
        """RUNNING only while the recorded pid is still this instance's engine; REPLACED if it is another process."""
        return process_state(self.pid, self.process_start)

    def alive(self) -> bool:
        return self.process_state() is ProcessState.RUNNING

    def manifest(self) -> dict:
        """What game this is: enough to tell two runs apart and to say what produced their data."""
        return {
            "run_id": self.run_id,
            "seed": self.seed,
            "started_at": self.started_at,
            "factoryverse_version": self.factoryverse_version,
            "factorio_version": self.factorio_version,
            "factorio_base_version": self.factorio_base_version,
            "factorio_api_version": self.factorio_api_version,
            "mods": dict(self.mods),
        }

    def public(self) -> dict:
        """Everything `fv server status --json` shows, the RCON password included (the record is the user's own)."""
        d = asdict(self)
        state = self.process_state()
        d["alive"] = state is ProcessState.RUNNING
        d["state"] = state.value
        d["script_output"] = str(self.script_output)
        d["db_path"] = str(self.db_path)
        d["manifest"] = self.manifest()
        return d


def _instances_dir() -> Path:
    d = state_home() / "instances"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _record_path(instance_id: int) -> Path:
    return _instances_dir() / str(instance_id) / "instance.json"


def _read_record(path: Path) -> Instance | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        # Records written before a server ran as one Factorio version listed every emulated API version; the
        # server is still ours to list and stop.
        record.pop("factorio_api_versions", None)
        return Instance(**record)
    except (OSError, json.JSONDecodeError, TypeError, AttributeError):
        return None  # a half-written record from a crashed start; `fv server stop --all` clears it


def list_instances() -> list[Instance]:
    out = []
    for rec in sorted(_instances_dir().glob("*/instance.json"), key=lambda p: int(p.parent.name)):
        inst = _read_record(rec)
        if inst is not None:
            out.append(inst)
    return out


def _write_private_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    # Created 0600 rather than chmod-ed afterwards: the record holds the RCON password from its first byte.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(data, indent=2))
    os.chmod(tmp, 0o600)  # in case an older tmp file was there with other bits
    os.replace(tmp, path)


# -- reserving an id ---------------------------------------------------------------------------------------------


@contextmanager
def _state_lock() -> Iterator[None]:
    """One `fv server start` at a time chooses an id: without it two starts both take the first free one."""
    with open(state_home() / "instances.lock", "a+b") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def _live_reservation(folder: Path) -> dict | None:
    """The marker of a start under way in `folder`, if its starter process is still the one that wrote it."""
    try:
        marker = json.loads((folder / _RESERVATION).read_text(encoding="utf-8"))
        return marker if same_process(int(marker["pid"]), marker.get("process_start")) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no marker, or a torn one: its starter crashed before finishing it


def _busy() -> tuple[set[int], set[int]]:
    """Ids in use (a live engine or a start under way) and the UDP ports promised to live instances."""
    ids: set[int] = set()
    udp_ports: set[int] = set()
    for folder in _instances_dir().iterdir():
        if not folder.is_dir() or not folder.name.isdigit():
            continue
        inst = _read_record(folder / "instance.json")
        if inst is not None and inst.alive():
            ids.add(int(folder.name))
            udp_ports.add(inst.snapshot_udp_port)
        else:
            marker = _live_reservation(folder)
            if marker is not None:
                ids.add(int(folder.name))
                udp_ports.add(int(marker.get("snapshot_udp_port", SNAPSHOT_UDP_BASE_PORT + int(folder.name))))
    return ids, udp_ports


def _reserve(instance_id: int | None) -> tuple[int, int]:
    """Claim an id (the lowest free one, or the one asked for), its folder and its snapshot UDP port."""
    with _state_lock():
        busy_ids, busy_udp = _busy()
        if instance_id is None:
            free = [i for i in range(MAX_INSTANCES) if i not in busy_ids]
            if not free:
                raise InstanceBusyError(
                    f"all {MAX_INSTANCES} instance ids are in use; stop some with `fv server stop <id>` or --all"
                )
            iid = free[0]
        elif instance_id in busy_ids:
            raise InstanceBusyError(
                f"instance {instance_id} is running or being started; stop it first with "
                f"`fv server stop {instance_id}`, or start without an id to get a free one"
            )
        else:
            iid = instance_id
        # Chosen under the lock too, so two starts falling back at once cannot pick the same port.
        udp_port = _snapshot_udp_port(iid, busy_udp)
        folder = _record_path(iid).parent
        folder.mkdir(parents=True, exist_ok=True)
        _write_private_json(
            folder / _RESERVATION,
            {"pid": os.getpid(), "process_start": start_ticks(os.getpid()), "snapshot_udp_port": udp_port},
        )
    return iid, udp_port


def _release(iid: int) -> None:
    try:
        (_record_path(iid).parent / _RESERVATION).unlink()
    except FileNotFoundError:
        pass


def saves_folder(instance_id: int) -> Path:
    """Instance `instance_id`'s saves folder (whether or not it exists)."""
    return _record_path(instance_id).parent / "saves"


def latest_save(instance_id: int) -> Path:
    """The newest save (by modification time, then name) in instance `instance_id`'s saves folder: what
    `fv server start --resume ID` loads. InstanceError naming the folder when it has none."""
    if not 0 <= instance_id < MAX_INSTANCES:
        raise InstanceError(f"instance ids are 0 to {MAX_INSTANCES - 1}, got {instance_id}")
    folder = saves_folder(instance_id)
    saves = [p for p in folder.glob(f"*{SAVE_SUFFIX}") if p.is_file()] if folder.is_dir() else []
    if not saves:
        raise InstanceError(f"instance {instance_id} has no save to resume: {folder} holds no *{SAVE_SUFFIX} file; "
                            "save a running game with /save or game.server_save(), or start a new one")
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
) -> Instance:
    """Spawn one engine process as a new game and return once it answers on RCON.

    The id is the lowest free one unless `instance_id` is given; the instance gets fresh script-output and database
    state and a new run id. `rcon_password` sets a known password (default: a random one). Call
    configure_instance next: fv_snapshot writes nothing until it has the run id.

    `load` starts from a save (e.g. latest_save(id)) instead of a new map: the save is read and checked first, so
    a missing or corrupt one fails before anything starts; the game keeps the save's seed and tick and gets a new
    run id. The game's /save, game.server_save() and autosaves (every `autosave_minutes` game minutes, 0 = off) go to
    the instance folder's saves/.

    The game runs as Factorio `factorio_version` ("2.0" or "2.1"; default 2.0, or a loaded save's). Without `mods_dir`, the repository's mods are
    packaged for that version into the instance folder's ``mods/`` (as a real server of that version needs them);
    a given `mods_dir` is used as it is, and a mod in it declaring another version fails the start.
    """
    if autosave_minutes < 0:
        raise InstanceError(f"autosave minutes must be 0 (off) or more, got {autosave_minutes}")
    if load is not None:
        try:
            header, _ = read_save(Path(load))
        except CorruptSaveError as exc:
            raise InstanceError(f"cannot start from {load}: {exc}") from exc
        if factorio_version is not None and factorio_version != header.factorio_version:
            raise InstanceError(f"{load} is a Factorio {header.factorio_version} game; start it without "
                                f"--factorio-version or with {header.factorio_version}")
        factorio_version = header.factorio_version
        load = Path(load).resolve()
    factorio_version = factorio_version or DEFAULT_FACTORIO_VERSION
    if factorio_version not in VERSIONS:
        raise InstanceError(f"Factorio version {factorio_version!r} is not one a server runs as; give one of "
                            f"{', '.join(sorted(VERSIONS))}")
    if rcon_password is not None and not rcon_password:
        raise InstanceError("the RCON password is empty; give a non-empty one or none for a random password")
    if instance_id is not None and not 0 <= instance_id < MAX_INSTANCES:
        raise InstanceError(f"instance ids are 0 to {MAX_INSTANCES - 1}, got {instance_id}; or give none for a free one")
    iid, udp_port = _reserve(instance_id)
    try:
        return _launch(iid, udp_port, seed=seed, mode=mode, speed=speed, mods_dir=mods_dir,
                       password=rcon_password or secrets.token_urlsafe(12), factorio_version=factorio_version,
                       load=load, autosave_minutes=autosave_minutes)
    finally:
        _release(iid)


def _snapshot_udp_port(iid: int, busy_udp: set[int]) -> int:
    wanted = SNAPSHOT_UDP_BASE_PORT + iid
    if wanted not in busy_udp and udp_port_free("127.0.0.1", wanted):
        return wanted
    # Nor any scheme port, which a later instance will want.
    scheme = set(range(SNAPSHOT_UDP_BASE_PORT, SNAPSHOT_UDP_BASE_PORT + MAX_INSTANCES))
    return pick_udp_port("127.0.0.1", busy_udp | scheme)


def _launch(iid: int, udp_port: int, *, seed: int, mode: str, speed: float, mods_dir: Path | None,
            password: str, factorio_version: str, load: Path | None = None,
            autosave_minutes: float = DEFAULT_AUTOSAVE_MINUTES) -> Instance:
    folder = _record_path(iid).parent
    _fresh_folder(folder)
    if mods_dir is None:
        try:
            package_mods(folder / "mods", factorio_version, unpacked=True)
        except ModPackageError as exc:
            raise InstanceError(f"cannot prepare the mods for Factorio {factorio_version}: {exc}") from exc
        mods_dir = folder / "mods"
    wanted_rcon = RCON_BASE_PORT + iid
    # Port 0: the engine binds whatever the OS gives and reports it, so the fallback itself cannot race.
    rcon_port = wanted_rcon if tcp_port_bindable("127.0.0.1", wanted_rcon) else 0
    cmd = [
        sys.executable, "-m", "factoryverse.engine.server",
        "--seed", str(seed),
        "--rcon-port", str(rcon_port),
        "--script-output", str(folder / "script-output"),
        "--mode", mode,
        "--speed", repr(float(speed)),
        "--factorio-version", factorio_version,
        "--saves-dir", str(folder / "saves"),
        "--autosave-minutes", repr(float(autosave_minutes)),
    ]
    if load is not None:
        cmd += ["--load", str(load)]
    if mods_dir is not None:
        cmd += ["--mods-dir", str(mods_dir)]
    env = {**os.environ, PASSWORD_ENV: password}
    run_id = uuid.uuid4().hex
    started_at = time.time()
    with open(folder / "server.log", "ab") as log:
        # Its own session, so a detached instance outlives the shell and Ctrl-C in `fv` does not reach it twice.
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, env=env, start_new_session=True)
    # Read now, while the child cannot have exited unreaped and had its pid reused.
    ticks = start_ticks(proc.pid)
    ready = _wait_ready(proc, folder / "server.log", wanted_rcon)
    inst = Instance(
        id=iid,
        pid=proc.pid,
        rcon_host=ready.get("rcon_host", "127.0.0.1"),
        rcon_port=int(ready["rcon_port"]),
        rcon_password=password,
        snapshot_udp_port=udp_port,
        seed=int(ready.get("seed", seed)),  # a loaded game's is the save's
        folder=str(folder),
        started_at=started_at,
        mode=mode,
        run_id=run_id,
        process_start=ticks,
        factoryverse_version=str(ready.get("factoryverse_version", "")),
        factorio_version=str(ready.get("factorio_version", "")),
        factorio_base_version=str(ready.get("factorio_base_version", "")),
        factorio_api_version=str(ready.get("factorio_api_version", "")),
        mods=dict(ready.get("mods", {})),
    )
    _write_private_json(_record_path(iid), asdict(inst))
    return inst


def _read_status_line(proc: subprocess.Popen) -> tuple[str, dict] | None:
    """The engine's READY or FAILED line, or None if it exited or timed out without one."""
    assert proc.stdout is not None
    deadline = time.monotonic() + _READY_TIMEOUT_S
    buf = b""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not sel.select(timeout=max(0.0, deadline - time.monotonic())):
                break
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            buf += chunk
            for line in buf.split(b"\n")[:-1]:
                word, _, payload = line.partition(b" ")
                if word in (b"READY", b"FAILED"):
                    try:
                        return word.decode(), json.loads(payload)
                    except ValueError:
                        return None  # not the engine this module knows; its log says more
    return None


def _wait_ready(proc: subprocess.Popen, log_path: Path, wanted_rcon: int) -> dict:
    try:
        line = _read_status_line(proc)
    finally:
        assert proc.stdout is not None
        proc.stdout.close()  # the engine prints nothing after its status line
    if line is not None and line[0] == "READY":
        return line[1]
    try:
        # Its stdout has closed or it said why it failed: give it a moment to exit, so its code is known.
        code: int | None = proc.wait(timeout=5.0)
    except subprocess.TimeoutExpired:
        code = None
        proc.kill()
        proc.wait()
    if line is not None and line[1].get("reason") == "rcon_port_in_use":
        port = line[1].get("port", wanted_rcon)
        raise PortInUseError(
            f"the engine could not listen for RCON: port {port} was taken by another program after it was found "
            f"free; see what holds it with `ss -ltnp 'sport = :{port}'`, or run `fv server start` again"
        )
    if line is not None:
        raise EngineStartError(f"the engine could not start: {line[1].get('message', line[1])}; see {log_path}")
    tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:] if log_path.exists() else ""
    what = f"exited with code {code}" if code is not None else f"did not become ready within {_READY_TIMEOUT_S:.0f} s"
    raise EngineStartError(f"the engine process {what}; its log ({log_path}) ends with:\n{tail}")


# -- stopping and configuring ------------------------------------------------------------------------------------


def stop_instance(inst: Instance, timeout: float = 10.0) -> bool:
    """SIGTERM, wait, then SIGKILL, only if the pid is still this instance's engine; removes the record.

    Returns whether the engine was running. A pid that now names another process is never signalled.
    """
    state = terminate(inst.pid, inst.process_start, timeout)
    record = _record_path(inst.id)
    # Only this run's record: a newer start may have reused the id since `inst` was read.
    current = _read_record(record)
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
