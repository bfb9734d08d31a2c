"""`fv data refresh`: rebuild a server's map database from the files its game wrote."""

from __future__ import annotations

from typing import Optional

import typer

from factoryverse.cli.sql import pick_instance
from factoryverse.servers import operations

__all__ = ["app"]

app = typer.Typer(help="A server's map database: rebuild it from the game's snapshot files.", no_args_is_help=True)


@app.command("refresh")
def refresh(
    server: Optional[int] = typer.Argument(None, help="Instance id (default: the first running)."),
    retake: bool = typer.Option(
        False, "--retake", help="Have the game write its snapshot again first: the repair for a damaged update log."
    ),
) -> None:
    """Rebuild the map database from the snapshot files (the database is a cache; the files are the truth)."""
    inst = pick_instance(server)
    try:
        done = operations.rebuild_map(inst.id, retake=retake)
    except operations.BackendError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e
    typer.echo(f"server {done['server_id']}: map database {done['db_path']} rebuilt from run {done['run_id']}"
               f"{' (snapshot taken again)' if retake else ''}; {done['deltas_applied']} deltas applied after it")
