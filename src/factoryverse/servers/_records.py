"""Instance records: one `instance.json` per instance folder under the state home, and the Instance it describes."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from factoryverse.servers._process import ProcessState
from factoryverse.servers.backends import get_backend

__all__ = ["Instance", "state_home", "list_instances", "instances_dir", "record_path", "read_record",
           "write_private_json"]


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
    # Where the game runs (a name in BACKENDS); records older than backends were all embedded.
    backend: str = "embedded"
    # The roles' ports beside rcon_port and snapshot_udp_port: the game's UDP port (0: the embedded engine serves
    # no multiplayer) and the ten agent UDP ports (the first is a real server's Lua UDP socket).
    game_udp_port: int = 0
    agent_udp_ports: list[int] = field(default_factory=list)
    # Why a role's port is not the scheme's (it was taken), one line each; empty when all are.
    port_notes: list[str] = field(default_factory=list)
    scenario: str | None = None
    container: str = ""  # docker: the container id
    factorio_bin: str = ""  # local: the Factorio binary

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
        """RUNNING only while the recorded server is still this instance's; REPLACED if its pid is another process."""
        return get_backend(self.backend).state(self)

    def ports(self) -> dict:
        """Every role's port: rcon (TCP), game_udp (None where not served), snapshot_udp, agent_udp (ten)."""
        return {"rcon": self.rcon_port, "game_udp": self.game_udp_port or None,
                "snapshot_udp": self.snapshot_udp_port, "agent_udp": list(self.agent_udp_ports)}

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
        d["ports"] = self.ports()
        return d


def instances_dir() -> Path:
    d = state_home() / "instances"
    d.mkdir(parents=True, exist_ok=True)
    return d


def record_path(instance_id: int) -> Path:
    return instances_dir() / str(instance_id) / "instance.json"


def read_record(path: Path) -> Instance | None:
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
    for rec in sorted(instances_dir().glob("*/instance.json"), key=lambda p: int(p.parent.name)):
        inst = read_record(rec)
        if inst is not None:
            out.append(inst)
    return out


def write_private_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    # Created 0600 rather than chmod-ed afterwards: the record holds the RCON password from its first byte.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(data, indent=2))
    os.chmod(tmp, 0o600)  # in case an older tmp file was there with other bits
    os.replace(tmp, path)
