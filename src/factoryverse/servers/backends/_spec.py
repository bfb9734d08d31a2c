"""What every backend is given to start a server (LaunchSpec), what it hands back (Launched), and how a started
server is named to it again later (ServerHandle: only what an instance record holds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from factoryverse.servers._process import ProcessState
from factoryverse.servers.ports import PortPlan

__all__ = ["LaunchSpec", "Launched", "ServerHandle", "Backend", "MODES"]

MODES = ("realtime", "fast", "paused")


@dataclass
class LaunchSpec:
    """One server to start. `folder` is the instance folder: its script-output/, saves/ and server.log are where the
    SDK and the map database look, whatever runs the game."""

    instance_id: int
    folder: Path
    ports: PortPlan
    password: str
    seed: int
    factorio_version: str
    # None: the repository's mods, packaged for `factorio_version` in the form this backend's game loads.
    mods_dir: Path | None = None
    load: Path | None = None  # a save to start from
    resume: bool = False  # start from the newest save in the folder's saves/ (the game's own choice of it)
    scenario: str | None = None  # [mod/]name, contract A
    autosave_minutes: float = 10.0
    mode: str = "realtime"
    speed: float = 1.0
    factorio_bin: Path | None = None  # local backend
    docker_image: str | None = None  # docker backend

    @property
    def script_output(self) -> Path:
        return self.folder / "script-output"

    @property
    def saves(self) -> Path:
        return self.folder / "saves"

    @property
    def log_path(self) -> Path:
        return self.folder / "server.log"


@dataclass
class Launched:
    """A server that answers RCON: how to reach it, how to find it again, and what it runs."""

    pid: int
    process_start: int | None
    rcon_host: str
    rcon_port: int
    seed: int
    game_udp_port: int  # 0 where the game serves no multiplayer port (the embedded engine)
    factoryverse_version: str = ""
    factorio_version: str = ""
    factorio_base_version: str = ""
    factorio_api_version: str = ""
    mods: dict[str, str] = field(default_factory=dict)
    scenario: str | None = None  # the scenario the game runs, as it names it (mod/name) where it says
    container: str = ""  # docker: the container's id
    factorio_bin: str = ""  # local: the binary that runs


class ServerHandle(Protocol):
    """The fields of an instance record a backend needs to tell whether its server lives and to stop it."""

    pid: int
    process_start: int | None
    folder: str
    container: str


class Backend(Protocol):
    name: str
    # The suffixes of the saves this backend's game writes and can load; a resume picks the newest of them.
    save_suffixes: tuple[str, ...]

    def launch(self, spec: LaunchSpec) -> Launched:
        """Start the server and return once it answers RCON; InstanceError (with the log's tail) if it does not."""

    def state(self, handle: ServerHandle) -> ProcessState:
        """RUNNING only while the recorded server is still the one started; REPLACED if its pid is another's."""

    def stop(self, handle: ServerHandle, timeout: float) -> ProcessState:
        """Stop the server as the game likes to be stopped; returns the state found before (RUNNING = it was)."""
