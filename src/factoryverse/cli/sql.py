"""`fv sql "SELECT ..."`: query the spatial map database of a running server.

The server's snapshot files are the source of truth; before querying, the instance's DuckDB file catches up from
them (init files, then the update log), so the answer reflects every change the game has written
(servers.operations.sql does it, for the MCP server and the dashboard too).
"""

from __future__ import annotations

import json
from typing import Any, Optional

import typer

from factoryverse.servers import operations
from factoryverse.servers.instances import Instance, list_instances

__all__ = ["sql", "pick_instance", "format_rows"]


def pick_instance(instance_id: int | None) -> Instance:
    instances = [i for i in list_instances() if i.alive()]
    if instance_id is not None:
        for inst in instances:
            if inst.id == instance_id:
                return inst
        raise typer.BadParameter(f"no running instance {instance_id}; see `fv server status`")
    if not instances:
        raise typer.BadParameter("no running server; start one with `fv server start --detach`")
    return instances[0]


def format_rows(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "(no rows)"
    cols = list(rows[0])
    cells = [[_cell(r.get(c)) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in cells]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return "NULL" if value is None else str(value)


def sql(
    statement: str = typer.Argument(..., help="A read-only SQL query (SELECT or WITH)."),
    server: Optional[int] = typer.Option(None, "--server", "-s", help="Instance id (default: the first running)."),
    as_json: bool = typer.Option(False, "--json", help="Print rows as JSON."),
    max_rows: int = typer.Option(operations.DEFAULT_MAX_ROWS, "--max-rows", min=1, help="Most rows to print."),
) -> None:
    """Query the map database of a running server (tables: resource_tile, resource_patch, map_entity, ...)."""
    inst = pick_instance(server)
    try:
        result = operations.sql(inst.id, statement, max_rows=max_rows)
    except operations.BackendError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e
    rows = result.rows
    typer.echo(json.dumps(rows, default=str, indent=2) if as_json else format_rows(rows))
    if result.truncated:
        typer.echo(f"(cut at {max_rows} rows; pass --max-rows for more)", err=True)
