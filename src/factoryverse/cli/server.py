"""`fv server start|stop|status|fork`: server instances on a backend (embedded engine, local Factorio, docker)."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path
from typing import Optional

import typer
from factoryverse.cli._server_watch import watch_servers
from factoryverse.servers._game import state_hash
from factoryverse.servers.forks import fork_instance
from factoryverse.engine.factorio_versions import DEFAULT_FACTORIO_VERSION, VERSIONS
from factoryverse.servers.backends import BACKENDS
from factoryverse.servers.instances import (
    DEFAULT_AUTOSAVE_MINUTES,
    DEFAULT_SEED,
    Instance,
    InstanceError,
    ProcessState,
    configure_instance,
    latest_save,
    list_instances,
    start_instance,
    stop_instance,
)

__all__ = ["app"]

app = typer.Typer(help="Start, stop and list game servers: the embedded engine, a local Factorio binary or docker.",
                  no_args_is_help=True)


_STATE_TEXT = {
    ProcessState.RUNNING: "running",
    ProcessState.DEAD: "dead",
    ProcessState.REPLACED: "dead*",
}


def _agent_range(inst: Instance) -> str:
    ports = inst.agent_udp_ports
    return f"{ports[0]}-{ports[-1]}" if ports else "-"


def _print_table(instances: list[Instance]) -> None:
    # No password here: text output ends up in terminals, logs and screenshots; `--json` has it.
    typer.echo(f"{'ID':>3}  {'PID':>7}  {'RCON':>15}  {'SNAPSHOT UDP':>12}  {'STATE':<7}  {'RUN':<8}  "
               f"{'BACKEND':<8}  {'GAME UDP':>8}  {'AGENT UDP':>11}  SCRIPT-OUTPUT")
    replaced = []
    for i in instances:
        state = i.process_state()
        if state is ProcessState.REPLACED:
            replaced.append(i)
        typer.echo(
            f"{i.id:>3}  {i.pid or '-':>7}  {i.rcon_host + ':' + str(i.rcon_port):>15}  {i.snapshot_udp_port:>12}  "
            f"{_STATE_TEXT[state]:<7}  {(i.run_id or '-')[:8]:<8}  {i.backend:<8}  {i.game_udp_port or '-':>8}  "
            f"{_agent_range(i):>11}  {i.script_output}"
        )
    for i in replaced:
        typer.echo(f"* instance {i.id}: not running (pid {i.pid} now belongs to another process)")


def _port_notes(inst: Instance) -> list[str]:
    return [f"  instance {inst.id}: {n}" for n in inst.port_notes]


def _mod_notes(inst: Instance) -> list[str]:
    """What a game started without one of the mods lacks: each works alone, the rest of fv keeps working."""
    if not inst.mods or "fv_snapshot" in inst.mods:
        return []
    return [f"  instance {inst.id}: fv_snapshot is not loaded, so the game writes no snapshot files and sends no "
            "deltas; map queries (fv sql, MCP query_map) have nothing to read"]


@app.command("start")
def start(
    num: int = typer.Option(1, "--num", "-n", min=1, max=64, help="How many instances to start."),
    seed: int = typer.Option(DEFAULT_SEED, help="Map seed (the same seed gives the same map)."),
    mode: str = typer.Option(
        "realtime", help="realtime (60 UPS x game.speed), fast (as fast as possible) or paused (fast, started with "
        "game.tick_paused = true: it runs only the ticks it is asked to, e.g. by the SDK's step())."),
    speed: float = typer.Option(
        1.0, min=0.01, max=1000.0, help="The starting game.speed; realtime runs 60 x speed UPS (2.0 = 120 UPS)."),
    mods_dir: Optional[Path] = typer.Option(
        None, help="Mods folder, used as it is (default: the repository's mods/, packaged for --factorio-version "
        "into each instance's folder)."),
    factorio_version: Optional[str] = typer.Option(
        None, "--factorio-version",
        help=f"The Factorio version the servers run as ({', '.join(sorted(VERSIONS))}; default "
        f"{DEFAULT_FACTORIO_VERSION}, or a loaded save's): prototype data, API and the factorio_version mods must "
        "declare."),
    load: Optional[Path] = typer.Option(
        None, "--load", help="Start from this save (.fvsave, e.g. written by /save) instead of a new map."),
    resume: Optional[int] = typer.Option(
        None, "--resume", help="Start instance ID again from the newest save in its saves/ folder that --backend loads "
        "(.fvsave for embedded, .zip for local and docker)."),
    autosave_minutes: float = typer.Option(
        DEFAULT_AUTOSAVE_MINUTES, "--autosave-minutes", min=0.0,
        help="Autosave every N game minutes into the instance's saves/ as _autosave1.._autosave5 (0 = off)."),
    backend: str = typer.Option(
        "embedded", "--backend", help=f"Where the game runs: {', '.join(BACKENDS)} (embedded: the engine; local: a "
        "headless Factorio binary, --factorio-bin or $FACTORIO_BIN; docker: the factoriotools/factorio image)."),
    factorio_bin: Optional[Path] = typer.Option(
        None, "--factorio-bin", envvar="FACTORIO_BIN", show_envvar=True,
        help="The headless Factorio binary for --backend local (bin/x64/factorio)."),
    docker_image: Optional[str] = typer.Option(
        None, "--docker-image", help="The image for --backend docker (default factoriotools/factorio:VERSION)."),
    scenario: Optional[str] = typer.Option(
        None, "--scenario", help="Start this scenario (NAME, or MOD/NAME for one a mod ships, e.g. "
        "fv_embodied_agent/lab-grid) instead of a new map."),
    detach: bool = typer.Option(False, "--detach", "-d", help="Return once ready and leave the servers running."),
    watch: bool = typer.Option(
        False, "--watch", help="Hot reload: on every change to the mods' files, save each game, restart it from "
        "that save with the mods packaged anew (same id, ports, password) and print what reloaded."),
    rcon_password: Optional[str] = typer.Option(
        None, envvar="FACTORYVERSE_RCON_PASSWORD", show_envvar=True,
        help="RCON password for every instance started (default: a random one each), for clients that expect a "
        "fixed one. The variable keeps it out of `ps`, which shows this command's own arguments.",
    ),
) -> None:
    """Start N servers on the seed's ports (instance i: RCON 27000+i, game UDP 34197+i, snapshot UDP 34400+i, agent UDP
    34202+10i..+9) and print them once they answer RCON.

    Each start is a new game with a new run id: the instance folder's previous script-output and map database are
    removed first (its previous log is kept as server.log.1; its saves/ is kept). With --load or --resume the game
    continues from a save (its seed and tick) as a new run. Where a port of the scheme is taken by another
    program, the instance gets a free one and a line says so.
    """
    if mode not in ("realtime", "fast", "paused"):
        raise typer.BadParameter("mode must be realtime, fast or paused")
    if rcon_password is not None and not rcon_password:
        raise typer.BadParameter("the RCON password must not be empty", param_hint="--rcon-password")
    if factorio_version is not None and factorio_version not in VERSIONS:
        raise typer.BadParameter(f"give one of {', '.join(sorted(VERSIONS))}", param_hint="--factorio-version")
    if load is not None and resume is not None:
        raise typer.BadParameter("give --load or --resume, not both", param_hint="--resume")
    if watch and detach:
        raise typer.BadParameter("--watch runs in the foreground; drop --detach", param_hint="--watch")
    if resume is not None and num != 1:
        raise typer.BadParameter("--resume starts one instance (the one resumed); drop --num", param_hint="--num")
    if backend not in BACKENDS:
        raise typer.BadParameter(f"give one of {', '.join(BACKENDS)}", param_hint="--backend")
    if scenario is not None and (load is not None or resume is not None):
        raise typer.BadParameter("a scenario starts a new game; drop --load/--resume", param_hint="--scenario")
    if backend != "local":
        factorio_bin = None  # from $FACTORIO_BIN, which only the local backend reads
    instance_id: int | None = None
    if resume is not None:
        # The save is picked here for every backend (the newest of the kind its game writes), so the line below
        # names the game that is loaded and a folder with no save fails before anything starts.
        try:
            load = latest_save(resume, backend)
        except InstanceError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(1) from e
        instance_id = resume
        typer.echo(f"resuming instance {resume} from {load}")
    started: list[Instance] = []
    # Ctrl-C or SIGTERM at any point, even while instances are still starting, stops everything this command
    # started: the handler is in place before the first process is spawned.
    stop_requested = {"now": False}
    stop_event = threading.Event()  # the same request, for the --watch loop

    def _request_stop(signum, frame):  # noqa: ARG001
        stop_requested["now"] = True
        stop_event.set()

    previous = {sig: signal.signal(sig, _request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for _ in range(num):
            if stop_requested["now"]:
                break
            inst = start_instance(instance_id, seed=seed, mode=mode, speed=speed, mods_dir=mods_dir,
                                  rcon_password=rcon_password, factorio_version=factorio_version, load=load,
                                  autosave_minutes=autosave_minutes, backend=backend, scenario=scenario,
                                  factorio_bin=factorio_bin, docker_image=docker_image)
            started.append(inst)
            configure_instance(inst)
    except (InstanceError, OSError) as e:
        _stop_all(started)
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e
    if stop_requested["now"]:
        _stop_all(started)
        raise typer.Exit(130)
    _print_table(started)
    for inst in started:
        typer.echo(f"  instance {inst.id}: RCON password {inst.rcon_password}")
        for note in _port_notes(inst) + _mod_notes(inst):
            typer.echo(note)
    if detach:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        typer.echo("detached; stop them with `fv server stop --all`")
        return
    typer.echo("running; press Ctrl-C to stop")
    try:
        if watch:
            watch_servers(started, mods_dir=mods_dir, speed=speed, autosave_minutes=autosave_minutes,
                          docker_image=docker_image, stop_event=stop_event)
        while not stop_requested["now"] and any(i.alive() for i in started):
            time.sleep(0.2)
    finally:
        _stop_all(started)
        typer.echo("stopped")


def _stop_all(instances: list[Instance]) -> None:
    for inst in instances:
        stop_instance(inst)


@app.command("stop")
def stop(
    instance_id: Optional[int] = typer.Argument(None, help="Instance id to stop."),
    all_: bool = typer.Option(False, "--all", help="Stop every instance."),
) -> None:
    """Stop one instance (by id) or all of them."""
    instances = list_instances()
    if all_:
        targets = instances
    elif instance_id is not None:
        targets = [i for i in instances if i.id == instance_id]
        if not targets:
            typer.echo(f"error: no instance {instance_id}; see `fv server status`", err=True)
            raise typer.Exit(1)
    else:
        typer.echo("error: give an instance id or --all", err=True)
        raise typer.Exit(2)
    for inst in targets:
        replaced = inst.process_state() is ProcessState.REPLACED
        if stop_instance(inst):
            typer.echo(f"instance {inst.id}: stopped")
        elif replaced:
            typer.echo(
                f"instance {inst.id}: was not running (pid {inst.pid} now belongs to another process, which was "
                "left alone); record removed"
            )
        else:
            typer.echo(f"instance {inst.id}: was not running (record removed)")


@app.command("fork")
def fork(
    instance_id: int = typer.Argument(..., help="The running instance whose game to fork."),
    num: int = typer.Option(1, "--num", "-n", min=1, max=64, help="How many copies to start."),
    force: bool = typer.Option(False, "--force", help="Fork even though the game's last command failed."),
    mode: Optional[str] = typer.Option(None, help="realtime, fast or paused (default: the parent's)."),
) -> None:
    """Continue instance ID's game, as it is now, in N new instances (own run id, folder and ports).

    The game saves itself as a fork into its saves/ folder and each new instance starts from that save; the parent
    runs on untouched. Pause the parent first (the SDK's pause()) to fork an exact state. Refused while the game's
    last command failed, unless --force. The new instances are detached; stop them with `fv server stop`.
    """
    if mode is not None and mode not in ("realtime", "fast", "paused"):
        raise typer.BadParameter("mode must be realtime, fast or paused", param_hint="--mode")
    parent = next((i for i in list_instances() if i.id == instance_id), None)
    if parent is None or not parent.alive():
        typer.echo(f"error: instance {instance_id} is not running; see `fv server status`", err=True)
        raise typer.Exit(1)
    try:
        started = fork_instance(parent, num=num, force=force, mode=mode)
    except (InstanceError, OSError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e
    _print_table(started)
    for inst in started:
        typer.echo(f"  instance {inst.id}: forked from instance {parent.id}; "
                   f"RCON password {inst.rcon_password}")
    typer.echo("detached; stop them with `fv server stop ID`")


@app.command("status")
def status(
    as_json: bool = typer.Option(
        False, "--json",
        help="Machine-readable: id, ports, RCON password, paths, each game's run manifest and state hash.",
    ),
) -> None:
    """List instances with their ports, state and run id."""
    instances = list_instances()
    if as_json:
        listed = []
        for inst in instances:
            entry = inst.public()
            # The game's state digest (docs/engine.md), asked with a short timeout; null if it doesn't answer.
            entry["state_hash"] = state_hash(inst)
            listed.append(entry)
        typer.echo(json.dumps(listed, indent=2))
        return
    if not instances:
        typer.echo("no instances; start one with `fv server start`")
        return
    _print_table(instances)
