"""`fv server start --watch`: hot-reload the started servers in the foreground until Ctrl-C."""

from __future__ import annotations

import threading
from pathlib import Path

import typer

from factoryverse.servers.instances import Instance, stop_instance
from factoryverse.servers.watch import ModWatcher, ReloadReport, WatchError

__all__ = ["watch_servers"]


def _print_report(report: ReloadReport) -> None:
    for line in report.lines():
        typer.echo(line, err=not report.ok)


def watch_servers(started: list[Instance], *, mods_dir: Path | None, speed: float, autosave_minutes: float,
                  docker_image: str | None = None, stop_event: threading.Event) -> None:
    """Reload `started` on every change of the mods until `stop_event` is set, then stop the servers running then
    (a reload gives a server a new record). Exits 1 when the mods folder cannot be watched."""
    try:
        watcher = ModWatcher(started, mods_source=mods_dir, speed=speed, autosave_minutes=autosave_minutes,
                             docker_image=docker_image, on_report=_print_report,
                             on_ready=lambda: typer.echo(f"watching {watcher.source} for changes to the mods"))
    except WatchError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e
    try:
        watcher.run(stop_event)
    finally:
        # Before the watcher's packages of the mods go: the servers load their mods from there.
        for inst in watcher.instances:
            stop_instance(inst)
        watcher.close()
