"""`fv server start|stop|status`: embedded server instances, one process each."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Optional

import typer
from factoryverse.servers.instances import (
    Instance,
    InstanceError,
    configure_instance,
    list_instances,
    start_instance,
    stop_instance,
)

__all__ = ["app"]

app = typer.Typer(help="Start, stop and list embedded Factorio-compatible servers.", no_args_is_help=True)


def _print_table(instances: list[Instance]) -> None:
    typer.echo(f"{'ID':>3}  {'PID':>7}  {'RCON':>15}  {'SNAPSHOT UDP':>12}  {'STATE':<8}  SCRIPT-OUTPUT")
    for i in instances:
        state = "running" if i.alive() else "dead"
        typer.echo(f"{i.id:>3}  {i.pid:>7}  {i.rcon_host + ':' + str(i.rcon_port):>15}  {i.snapshot_udp_port:>12}  {state:<8}  {i.script_output}")


@app.command("start")
def start(
    num: int = typer.Option(1, "--num", "-n", min=1, max=64, help="How many instances to start."),
    seed: int = typer.Option(0, help="Map seed (the same seed gives the same map)."),
    mode: str = typer.Option("realtime", help="realtime (60 UPS), fast (as fast as possible) or paused."),
    speed: float = typer.Option(1.0, min=0.01, max=1000.0, help="Game speed in realtime mode (2.0 = 120 UPS)."),
    mods_dir: Optional[Path] = typer.Option(None, help="Mods folder (default: the repository's mods/)."),
    detach: bool = typer.Option(False, "--detach", "-d", help="Return once ready and leave the servers running."),
) -> None:
    """Start N embedded servers on RCON 27000+i / snapshot UDP 34400+i and print them once they answer RCON."""
    if mode not in ("realtime", "fast", "paused"):
        raise typer.BadParameter("mode must be realtime, fast or paused")
    started: list[Instance] = []
    # Ctrl-C or SIGTERM at any point, even while instances are still starting, stops everything this command
    # started: the handler is in place before the first process is spawned.
    stop_requested = {"now": False}

    def _request_stop(signum, frame):  # noqa: ARG001
        stop_requested["now"] = True

    previous = {sig: signal.signal(sig, _request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for _ in range(num):
            if stop_requested["now"]:
                break
            inst = start_instance(seed=seed, mode=mode, speed=speed, mods_dir=mods_dir)
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
    if detach:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        typer.echo("detached; stop them with `fv server stop --all`")
        return
    typer.echo("running; press Ctrl-C to stop")
    try:
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
        was = stop_instance(inst)
        typer.echo(f"instance {inst.id}: {'stopped' if was else 'was not running (record removed)'}")


@app.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="Machine-readable: id, ports, RCON password, paths.")) -> None:
    """List instances with their ports and state."""
    instances = list_instances()
    if as_json:
        typer.echo(json.dumps([i.public() for i in instances], indent=2))
        return
    if not instances:
        typer.echo("no instances; start one with `fv server start`")
        return
    _print_table(instances)
