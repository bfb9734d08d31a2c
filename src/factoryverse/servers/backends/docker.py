"""The docker backend: the factoriotools/factorio image, one container per instance.

Per the image's documented interface: its data lives under `/factorio` (config/, mods/, saves/, script-output/,
scenarios/); `config/rconpw` holds the RCON password; PORT and RCON_PORT set the game and RCON ports;
GENERATE_NEW_SAVE with SAVE_NAME creates a map (with `config/map-gen-settings.json`) when that save does not exist,
LOAD_LATEST_SAVE serves the newest save; PUID/PGID set the user the game runs as; arguments after the image are
appended to the server's command line; `--entrypoint /scenario.sh` with the scenario's name serves a scenario.

The instance folder's subfolders are mounted there, so script-output and saves land where the SDK looks. The
container uses the host's network: the mods' helpers.send_udp sends to localhost, which must be this machine for
the snapshot deltas and action completions to reach the SDK; the ports are therefore set through PORT and
RCON_PORT (the instance's ports), not mapped with -p. Readiness is RCON answering (bounded); stop is SIGINT (the
server saves and quits), then the container is removed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

from factoryverse import __version__ as _fv_version
from factoryverse.engine.factorio_versions import DEFAULT_FACTORIO_VERSION
from factoryverse.servers._instance_errors import BackendUnavailableError, EngineStartError, InstanceError
from factoryverse.servers._process import ProcessState
from factoryverse.servers.backends import _factorio_files as files
from factoryverse.servers.backends._readiness import identify_over_rcon, wait_for_rcon
from factoryverse.servers.backends._spec import Launched, LaunchSpec, ServerHandle

__all__ = ["DockerBackend", "IMAGE", "image_for", "docker_run_command", "container_name", "require_docker"]

IMAGE = "factoriotools/factorio"
_READY_TIMEOUT_S = 180.0  # a first start also unpacks the mods and creates the map
_STOP_TIMEOUT_S = 60.0
_CLI_TIMEOUT_S = 30.0
_SAVE_NAME = "factoryverse"


def image_for(factorio_version: str, image: str | None = None) -> str:
    """`image` as given, else the image's tag for a Factorio major.minor (its tags `2.0`, `2.1` follow the newest
    release of that line)."""
    return image or f"{IMAGE}:{factorio_version}"


def container_name(instance_id: int) -> str:
    return f"factoryverse-{instance_id}"


def require_docker() -> str:
    """The docker CLI's path, once its daemon answers; BackendUnavailableError saying what to do otherwise."""
    docker = shutil.which("docker")
    if docker is None:
        raise BackendUnavailableError("the docker backend needs Docker, and there is no `docker` on PATH: install "
                                      "Docker Engine (docs.docker.com/engine/install), or use --backend embedded, or "
                                      "--backend local with a Factorio binary")
    try:
        out = subprocess.run([docker, "version", "--format", "{{.Server.Version}}"], capture_output=True,
                             timeout=_CLI_TIMEOUT_S, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackendUnavailableError(f"`docker version` did not answer ({exc}); check the Docker installation")
    if out.returncode != 0:
        said = out.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise BackendUnavailableError(f"the Docker daemon does not answer ({said[-1] if said else 'no reason given'}):"
                                      " start it (`sudo systemctl start docker`) and check that you may use it "
                                      "(the docker group), or use --backend embedded")
    return docker


def docker_run_command(spec: LaunchSpec, *, docker: str = "docker", uid: int | None = None,
                       gid: int | None = None) -> list[str]:
    """`docker run` for the instance; the folder's config/ must already hold rconpw, server-settings.json and
    map-gen-settings.json (see prepare). The container's mods/ is `spec.mods_dir` when given (e.g. `fv server start
    --mods-dir`, or hot reload's freshly packaged mods), else the folder's own mods/ that prepare packaged."""
    uid = os.getuid() if uid is None else uid
    gid = os.getgid() if gid is None else gid
    folder = spec.folder.resolve()
    cmd = [docker, "run", "--detach", "--name", container_name(spec.instance_id), "--network", "host",
           "--stop-signal", "SIGINT", "--stop-timeout", str(int(_STOP_TIMEOUT_S))]
    mounts = {sub: folder / sub for sub in ("config", "mods", "saves", "script-output")}
    if spec.mods_dir is not None:
        mounts["mods"] = spec.mods_dir.resolve()
    for sub, host in mounts.items():
        cmd += ["--volume", f"{host}:/factorio/{sub}"]
    env = {"PORT": spec.ports.game_udp, "RCON_PORT": spec.ports.rcon, "PUID": uid, "PGID": gid}
    if spec.scenario is None:
        if spec.load is not None:
            env |= {"LOAD_LATEST_SAVE": "false", "GENERATE_NEW_SAVE": "false", "SAVE_NAME": spec.load.stem}
        elif spec.resume:
            env |= {"LOAD_LATEST_SAVE": "true", "GENERATE_NEW_SAVE": "false"}
        else:
            env |= {"LOAD_LATEST_SAVE": "false", "GENERATE_NEW_SAVE": "true", "SAVE_NAME": _new_save_name(spec)}
    for key, value in env.items():
        cmd += ["--env", f"{key}={value}"]
    image = image_for(spec.factorio_version or DEFAULT_FACTORIO_VERSION, spec.docker_image)
    if spec.scenario is not None:
        # scenario.sh takes only the scenario's name: the game then runs without Lua UDP (deltas stay in the files).
        return cmd + ["--entrypoint", "/scenario.sh", image, spec.scenario]
    return cmd + [image, "--enable-lua-udp", str(spec.ports.agent_udp[0])]


def _new_save_name(spec: LaunchSpec) -> str:
    return f"{_SAVE_NAME}-seed{spec.seed}-{spec.instance_id}-{int(time.time())}"


def prepare(spec: LaunchSpec) -> None:
    """The instance folder as the container will see it."""
    if spec.mode != "realtime" or spec.speed != 1.0:
        raise InstanceError("a Factorio server runs in real time: drop --mode/--speed for --backend docker "
                            "(set game.speed over RCON once it runs)")
    if spec.factorio_bin is not None:
        raise InstanceError("--factorio-bin is for --backend local")
    files.write_rcon_password(spec.folder, spec.password)
    files.write_server_settings(spec.folder, autosave_minutes=spec.autosave_minutes,
                                name=f"FactoryVerse instance {spec.instance_id}")
    files.write_map_gen_settings(spec.folder, spec.seed)
    # A --mods-dir is checked and used as it is (mounted as the container's mods/), as the local backend uses it.
    if spec.mods_dir is not None and ":" in str(spec.mods_dir.resolve()):
        raise InstanceError(f"docker cannot mount {spec.mods_dir}: its --volume syntax splits paths at ':'; give "
                            "a mods folder whose path has no ':'")
    files.write_mods(spec.folder, spec.factorio_version or DEFAULT_FACTORIO_VERSION, spec.mods_dir)
    spec.saves.mkdir(parents=True, exist_ok=True)
    spec.script_output.mkdir(parents=True, exist_ok=True)
    if spec.load is not None:
        if not spec.load.is_file() or spec.load.suffix != ".zip":
            raise InstanceError(f"no Factorio save at {spec.load}; give a save .zip")
        if spec.load.resolve().parent != spec.saves.resolve():
            shutil.copy2(spec.load, spec.saves / spec.load.name)  # the container sees only the folder's saves/


class DockerBackend:
    name = "docker"
    save_suffixes = (".zip",)  # real Factorio's, as the image's LOAD_LATEST_SAVE looks for

    def launch(self, spec: LaunchSpec) -> Launched:
        docker = require_docker()
        prepare(spec)
        # A container of an earlier run of this id (stopped or crashed) holds the name.
        subprocess.run([docker, "rm", "--force", container_name(spec.instance_id)], capture_output=True,
                       timeout=_CLI_TIMEOUT_S, stdin=subprocess.DEVNULL)
        run = subprocess.run(docker_run_command(spec, docker=docker), capture_output=True, timeout=600,
                             stdin=subprocess.DEVNULL)
        if run.returncode != 0:
            raise EngineStartError(f"`docker run` failed: {run.stderr.decode('utf-8', errors='replace').strip()}")
        container = run.stdout.decode().strip()
        try:
            wait_for_rcon("127.0.0.1", spec.ports.rcon, spec.password, _READY_TIMEOUT_S,
                          lambda: _gone(docker, container, spec))
            ident = identify_over_rcon("127.0.0.1", spec.ports.rcon, spec.password)
        except BaseException:
            _save_logs(docker, container, spec)
            subprocess.run([docker, "rm", "--force", container], capture_output=True, timeout=_CLI_TIMEOUT_S)
            raise
        game_mods = dict(ident.get("mods") or {})
        base = str(game_mods.get("base", ""))
        return Launched(
            pid=0, process_start=None, rcon_host="127.0.0.1", rcon_port=spec.ports.rcon,
            seed=int(ident.get("seed") or spec.seed), game_udp_port=spec.ports.game_udp,
            factoryverse_version=_fv_version, factorio_version=".".join(base.split(".")[:2]),
            factorio_base_version=base, factorio_api_version=base,
            mods={k: v for k, v in game_mods.items() if k not in ("base", "core")}, scenario=spec.scenario,
            container=container,
        )

    def state(self, handle: ServerHandle) -> ProcessState:
        docker = shutil.which("docker")
        if docker is None or not handle.container:
            return ProcessState.DEAD
        out = subprocess.run([docker, "inspect", "--format", "{{.State.Running}}", handle.container],
                             capture_output=True, timeout=_CLI_TIMEOUT_S, stdin=subprocess.DEVNULL)
        return ProcessState.RUNNING if out.stdout.strip() == b"true" else ProcessState.DEAD

    def stop(self, handle: ServerHandle, timeout: float) -> ProcessState:
        state = self.state(handle)
        if state is ProcessState.RUNNING:
            docker = require_docker()
            # `docker stop` sends the container's stop signal (SIGINT, set at run): the server saves, then quits.
            subprocess.run([docker, "stop", "-t", str(int(max(timeout, _STOP_TIMEOUT_S))), handle.container],
                           capture_output=True, timeout=max(timeout, _STOP_TIMEOUT_S) + _CLI_TIMEOUT_S)
            _save_logs(docker, handle.container, None, folder=handle.folder)
            subprocess.run([docker, "rm", "--force", handle.container], capture_output=True, timeout=_CLI_TIMEOUT_S)
        return state


def _gone(docker: str, container: str, spec: LaunchSpec) -> str | None:
    out = subprocess.run([docker, "inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", container],
                         capture_output=True, timeout=_CLI_TIMEOUT_S, stdin=subprocess.DEVNULL)
    running, _, code = out.stdout.decode().strip().partition(" ")
    if running == "true":
        return None
    _save_logs(docker, container, spec)
    return (f"the container {container[:12]} exited (code {code or '?'}) before RCON answered; its log "
            f"({spec.log_path}) says why")


def _save_logs(docker: str, container: str, spec: LaunchSpec | None, *, folder: str | None = None) -> None:
    """The container's output into the instance's server.log, where `fv` looks for a server's log."""
    path = spec.log_path if spec is not None else os.path.join(str(folder), "server.log")
    out = subprocess.run([docker, "logs", container], capture_output=True, timeout=_CLI_TIMEOUT_S)
    with open(path, "wb") as f:
        f.write(out.stdout + out.stderr)
