"""The embedded backend: one `python -m factoryverse.engine.server` process per instance (the default).

The engine prints one status line on stdout (READY or FAILED with JSON) and nothing after it, so its stdout is a
pipe read until that line; its log (stderr) goes to the instance's server.log. It serves RCON and writes
script-output and saves into the instance folder; it has no multiplayer, so no game UDP port is opened.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time

from factoryverse.engine.save import SAVE_SUFFIX
from factoryverse.servers._instance_errors import EngineStartError, InstanceError, PortInUseError
from factoryverse.servers._process import ProcessState, process_state, start_ticks, terminate
from factoryverse.servers.backends._spec import Launched, LaunchSpec, ServerHandle
from factoryverse.servers.mod_packages import ModPackageError, package_mods

__all__ = ["EmbeddedBackend", "PASSWORD_ENV", "READY_TIMEOUT_S"]

# The engine reads its RCON password from here: the environment is readable only by its owner, a command line by all.
PASSWORD_ENV = "FACTORYVERSE_RCON_PASSWORD"
# A cold start loads prototypes and generates the starting chunks; several starting at once share the cores.
READY_TIMEOUT_S = 60.0


class EmbeddedBackend:
    name = "embedded"
    # The engine's own format; a .zip in saves/ may be real Factorio's, which the engine cannot load.
    save_suffixes = (SAVE_SUFFIX,)

    def launch(self, spec: LaunchSpec) -> Launched:
        if spec.factorio_bin is not None or spec.docker_image is not None:
            raise InstanceError("--factorio-bin and --docker-image are for the local and docker backends; drop them "
                                "or give --backend local / docker")
        mods_dir = spec.mods_dir
        if mods_dir is None:
            try:
                package_mods(spec.folder / "mods", spec.factorio_version, unpacked=True)
            except ModPackageError as exc:
                raise InstanceError(f"cannot prepare the mods for Factorio {spec.factorio_version}: {exc}") from exc
            mods_dir = spec.folder / "mods"
        # Port 0: the engine binds whatever the OS gives and reports it, so the fallback itself cannot race.
        cmd = [
            sys.executable, "-m", "factoryverse.engine.server",
            "--seed", str(spec.seed),
            "--rcon-port", str(spec.ports.rcon),
            "--script-output", str(spec.script_output),
            "--mode", spec.mode,
            "--speed", repr(float(spec.speed)),
            "--factorio-version", spec.factorio_version,
            "--saves-dir", str(spec.saves),
            "--autosave-minutes", repr(float(spec.autosave_minutes)),
            "--mods-dir", str(mods_dir),
        ]
        if spec.load is not None:
            cmd += ["--load", str(spec.load)]
        if spec.scenario is not None:
            cmd += ["--scenario", spec.scenario]
        env = {**os.environ, PASSWORD_ENV: spec.password}
        with open(spec.log_path, "ab") as log:
            # Its own session, so a detached instance outlives the shell and Ctrl-C in `fv` does not reach it twice.
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, env=env, start_new_session=True)
        # Read now, while the child cannot have exited unreaped and had its pid reused.
        ticks = start_ticks(proc.pid)
        ready = _wait_ready(proc, spec)
        return Launched(
            pid=proc.pid,
            process_start=ticks,
            rcon_host=ready.get("rcon_host", "127.0.0.1"),
            rcon_port=int(ready["rcon_port"]),
            seed=int(ready.get("seed", spec.seed)),  # a loaded game's is the save's
            game_udp_port=0,
            factoryverse_version=str(ready.get("factoryverse_version", "")),
            factorio_version=str(ready.get("factorio_version", "")),
            factorio_base_version=str(ready.get("factorio_base_version", "")),
            factorio_api_version=str(ready.get("factorio_api_version", "")),
            mods=dict(ready.get("mods", {})),
            scenario=ready.get("scenario") or spec.scenario,
        )

    def state(self, handle: ServerHandle) -> ProcessState:
        return process_state(handle.pid, handle.process_start)

    def stop(self, handle: ServerHandle, timeout: float) -> ProcessState:
        return terminate(handle.pid, handle.process_start, timeout)


def _read_status_line(proc: subprocess.Popen) -> tuple[str, dict] | None:
    """The engine's READY or FAILED line, or None if it exited or timed out without one."""
    assert proc.stdout is not None
    deadline = time.monotonic() + READY_TIMEOUT_S
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


def _wait_ready(proc: subprocess.Popen, spec: LaunchSpec) -> dict:
    log_path = spec.log_path
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
        port = line[1].get("port", spec.ports.rcon)
        raise PortInUseError(
            f"the engine could not listen for RCON: port {port} was taken by another program after it was found "
            f"free; see what holds it with `ss -ltnp 'sport = :{port}'`, or run `fv server start` again"
        )
    if line is not None:
        raise EngineStartError(f"the engine could not start: {line[1].get('message', line[1])}; see {log_path}")
    tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:] if log_path.exists() else ""
    what = f"exited with code {code}" if code is not None else f"did not become ready within {READY_TIMEOUT_S:.0f} s"
    raise EngineStartError(f"the engine process {what}; its log ({log_path}) ends with:\n{tail}")
