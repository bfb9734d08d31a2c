"""Embedded server instances as the CLI manages them: one OS process each, described by a JSON file on disk.

Instance i listens for RCON on 27000+i and is told to send snapshot deltas to UDP 34400+i (the seed's port scheme).
Each instance has a folder under the state home with its script-output, its DuckDB file and its log.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from factorio_rcon import RCONClient

__all__ = [
    "Instance",
    "InstanceError",
    "state_home",
    "list_instances",
    "start_instance",
    "stop_instance",
    "configure_instance",
    "RCON_BASE_PORT",
    "SNAPSHOT_UDP_BASE_PORT",
]

RCON_BASE_PORT = 27000
SNAPSHOT_UDP_BASE_PORT = 34400
_READY_TIMEOUT_S = 30.0


class InstanceError(Exception):
    """An instance could not be started, found or stopped; the message says what to do."""


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

    @property
    def script_output(self) -> Path:
        return Path(self.folder) / "script-output"

    @property
    def db_path(self) -> Path:
        return Path(self.folder) / "factoryverse.duckdb"

    @property
    def log_path(self) -> Path:
        return Path(self.folder) / "server.log"

    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        # A zombie child still answers kill(0); it is not serving.
        try:
            with open(f"/proc/{self.pid}/stat", encoding="ascii") as f:
                return f.read().split(")")[-1].split()[0] != "Z"
        except OSError:
            return True

    def public(self) -> dict:
        d = asdict(self)
        d["alive"] = self.alive()
        d["script_output"] = str(self.script_output)
        d["db_path"] = str(self.db_path)
        return d


def _instances_dir() -> Path:
    d = state_home() / "instances"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _record_path(instance_id: int) -> Path:
    return _instances_dir() / str(instance_id) / "instance.json"


def list_instances() -> list[Instance]:
    out = []
    for rec in sorted(_instances_dir().glob("*/instance.json"), key=lambda p: int(p.parent.name)):
        try:
            out.append(Instance(**json.loads(rec.read_text(encoding="utf-8"))))
        except (json.JSONDecodeError, TypeError):
            continue  # a half-written record from a crashed start; `fv server stop --all` clears it
    return out


def _port_free(port: int, kind: int) -> bool:
    with socket.socket(socket.AF_INET, kind) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_ids(count: int) -> list[int]:
    taken = {i.id for i in list_instances() if i.alive()}
    ids: list[int] = []
    i = 0
    while len(ids) < count and i < 100:
        if (
            i not in taken
            and _port_free(RCON_BASE_PORT + i, socket.SOCK_STREAM)
            and _port_free(SNAPSHOT_UDP_BASE_PORT + i, socket.SOCK_DGRAM)
        ):
            ids.append(i)
        i += 1
    if len(ids) < count:
        raise InstanceError(f"could not find {count} free instance slots (ports {RCON_BASE_PORT}+i are busy); stop some with `fv server stop --all`")
    return ids


def start_instance(
    instance_id: int | None = None,
    *,
    seed: int = 0,
    mode: str = "realtime",
    speed: float = 1.0,
    mods_dir: Path | None = None,
) -> Instance:
    """Spawn one engine process and return once it answers on RCON."""
    iid = _free_ids(1)[0] if instance_id is None else instance_id
    folder = _record_path(iid).parent
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "script-output").mkdir(exist_ok=True)
    password = secrets.token_urlsafe(12)
    cmd = [
        sys.executable, "-m", "factoryverse.engine.server",
        "--seed", str(seed),
        "--rcon-port", str(RCON_BASE_PORT + iid),
        # `=` form: a generated password may start with "-", which argparse would take for an option.
        f"--rcon-password={password}",
        "--script-output", str(folder / "script-output"),
        "--mode", mode,
        "--speed", repr(float(speed)),
    ]
    if mods_dir is not None:
        cmd += ["--mods-dir", str(mods_dir)]
    log = open(folder / "server.log", "ab")
    # Its own session, so a detached instance outlives the shell and Ctrl-C in `fv` does not reach it twice.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, start_new_session=True)
    log.close()
    ready = _wait_ready(proc, folder / "server.log")
    inst = Instance(
        id=iid,
        pid=proc.pid,
        rcon_host=ready.get("rcon_host", "127.0.0.1"),
        rcon_port=int(ready["rcon_port"]),
        rcon_password=password,
        snapshot_udp_port=SNAPSHOT_UDP_BASE_PORT + iid,
        seed=seed,
        folder=str(folder),
        started_at=time.time(),
        mode=mode,
    )
    record = _record_path(iid)
    tmp = record.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(inst), indent=2), encoding="utf-8")
    os.chmod(tmp, 0o600)  # it holds the RCON password
    os.replace(tmp, record)
    return inst


def _wait_ready(proc: subprocess.Popen, log_path: Path) -> dict:
    assert proc.stdout is not None
    deadline = time.monotonic() + _READY_TIMEOUT_S
    import selectors

    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    buf = b""
    while time.monotonic() < deadline:
        if not sel.select(timeout=max(0.0, deadline - time.monotonic())):
            break
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            break
        buf += chunk
        for line in buf.split(b"\n")[:-1]:
            if line.startswith(b"READY "):
                sel.close()
                return json.loads(line[6:])
    sel.close()
    code = proc.poll()
    proc.kill()
    tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:] if log_path.exists() else ""
    what = f"exited with code {code}" if code is not None else f"did not become ready within {_READY_TIMEOUT_S:.0f} s"
    raise InstanceError(f"the engine process {what}; its log ({log_path}) ends with:\n{tail}")


def stop_instance(inst: Instance, timeout: float = 10.0) -> bool:
    """SIGTERM, wait, then SIGKILL; removes the record. Returns whether a process was running."""
    was_alive = inst.alive()
    if was_alive:
        try:
            os.kill(inst.pid, signal.SIGTERM)
        except ProcessLookupError:
            was_alive = False
        deadline = time.monotonic() + timeout
        while inst.alive() and time.monotonic() < deadline:
            try:
                os.waitpid(inst.pid, os.WNOHANG)
            except ChildProcessError:
                pass
            time.sleep(0.05)
        if inst.alive():
            os.kill(inst.pid, signal.SIGKILL)
    record = _record_path(inst.id)
    if record.exists():
        record.unlink()
    return was_alive


def configure_instance(inst: Instance) -> float:
    """First RCON command: point fv_snapshot's deltas at the instance's UDP port. Returns the round trip in s."""
    t0 = time.perf_counter()
    client = RCONClient(inst.rcon_host, inst.rcon_port, inst.rcon_password, connect_on_init=True)
    try:
        reply = client.send_command(
            "/sc local ok, err = pcall(remote.call, 'map', 'set_snapshot_config', {udp_port=%d}) "
            "rcon.print(ok and 'ok' or tostring(err))" % inst.snapshot_udp_port
        )
    finally:
        client.close()
    if (reply or "").strip() != "ok":
        raise InstanceError(f"instance {inst.id} answered RCON but could not configure fv_snapshot: {reply}")
    return time.perf_counter() - t0
