"""`fv sql "SELECT ..."`: query the spatial map database of a server, running or stopped.

The server's snapshot files are the source of truth; before querying, the instance's DuckDB file catches up from
them (init files, then the update log), so the answer reflects every change the game has written
(servers.operations.sql does it, for the MCP server and the dashboard too).

Rows print as a table, as JSON (--json) or as CSV (--csv), always on stdout; notes (a rebuilt map, a result cut at
its row limit) go to stderr, so the JSON or CSV stays machine-readable. A result over its row limit is cut and
labelled, not refused: the rows up to the limit are what a user exploring the map wants to see.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from typing import Any, Optional

import typer

from factoryverse.servers import operations
from factoryverse.servers.instances import Instance, list_instances

__all__ = ["sql", "pick_instance", "format_rows", "format_csv", "MAX_CELL_WIDTH", "SQL_CONTEXT_SETTINGS"]

# Wider cells are cut: DESCRIBE of an ENUM column would otherwise pad every row to the whole ENUM's type.
MAX_CELL_WIDTH = 60
# SQL may start with a `--` comment, which Click would otherwise take for an unknown option.
SQL_CONTEXT_SETTINGS = {"ignore_unknown_options": True}
_OPTION_LIKE = re.compile(r"--?[A-Za-z][\w-]*")


def pick_instance(instance_id: int | None) -> Instance:
    """The server `instance_id` (running or not: a stopped one's map is read from its files), else the first running."""
    if instance_id is not None:
        try:
            return operations.get_instance(instance_id, running=False)
        except operations.UnknownServerError as exc:
            raise typer.BadParameter(str(exc), param_hint="'--server' / '-s'") from exc
    recorded = list_instances()
    running = [i for i in recorded if i.alive()]
    if running:
        return running[0]
    if recorded:
        ids = ", ".join(str(i.id) for i in recorded)
        raise typer.BadParameter(f"no running server; pass --server ID to read the map a stopped one left "
                                 f"(recorded: {ids}) or start one with `fv server start --detach`")
    raise typer.BadParameter("no running server; start one with `fv server start --detach`")


def format_rows(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    """An aligned text table; with `columns`, an empty result still shows what it would have held."""
    if not rows and not columns:
        return "(no rows)"
    cols = list(columns) if columns else list(rows[0])
    cells = [[_clip(_cell(r.get(c))) for c in cols] for r in rows]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def format_csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    """RFC 4180 CSV with a header line (also for no rows); NULL is an empty field, lists and structs are JSON."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
    return out.getvalue().rstrip("\n")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return repr(value) if isinstance(value, float) else str(value)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return "NULL" if value is None else str(value)


def _clip(text: str) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_CELL_WIDTH else text[:MAX_CELL_WIDTH - 3] + "..."


def _statement(raw: str) -> str:
    if raw == "-":
        text = sys.stdin.read()
        if not text.strip():
            raise typer.BadParameter("`-` reads the SQL from standard input, which was empty", param_hint="STATEMENT")
        return text
    if _OPTION_LIKE.fullmatch(raw):
        # A mistyped option, not SQL: a `--` comment has a space or a newline, and SQL follows it.
        raise typer.BadParameter(f"no such option {raw!r}; see `fv sql --help`", param_hint="STATEMENT")
    return raw


def sql(
    statement: str = typer.Argument(
        ..., help="A read-only SQL query (SELECT or WITH); it may start with a -- comment. `-` reads it from stdin."
    ),
    server: Optional[int] = typer.Option(
        None, "--server", "-s", help="Instance id (default: the first running); a stopped server's map is read too."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print rows as a JSON list of objects."),
    as_csv: bool = typer.Option(False, "--csv", help="Print rows as CSV with a header line (NULL: empty field)."),
    max_rows: int = typer.Option(
        operations.DEFAULT_MAX_ROWS, "--max-rows", min=1, max=operations.MAX_ROWS, help="Most rows to print."
    ),
    timeout: float = typer.Option(
        operations.DEFAULT_TIMEOUT_S, "--timeout", min=0.001, max=operations.MAX_TIMEOUT_S,
        help="Seconds before the query is interrupted.",
    ),
) -> None:
    """Query the map database of a server (map_entity, resource_patch, ...; `fv data schema` lists every table)."""
    if as_json and as_csv:
        raise typer.BadParameter("choose one output format: --json or --csv (neither prints a table)",
                                 param_hint="'--json' / '--csv'")
    text = _statement(statement)
    inst = pick_instance(server)
    try:
        result = operations.sql(inst.id, text, max_rows=max_rows, timeout_s=timeout)
    except operations.MapQueryTimeoutError as e:
        typer.echo(f"error: {e}. Raise the limit with --timeout SECONDS (now {timeout:g}, at most "
                   f"{operations.MAX_TIMEOUT_S:g})", err=True)
        raise typer.Exit(1) from e
    except operations.BackendError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e
    if result.notice:
        # On stderr, so --json and --csv output stays parseable.
        typer.echo(f"note: {result.notice}", err=True)
    rows = result.rows
    if as_json:
        typer.echo(json.dumps(rows, default=str, indent=2))
    elif as_csv:
        typer.echo(format_csv(result.columns, rows))
    else:
        typer.echo(format_rows(rows, result.columns))
    if result.truncated:
        typer.echo(f"(cut at {len(rows)} rows, by --max-rows {max_rows} or the {operations.MAX_RESULT_BYTES:,}-"
                   "character result cap; narrow the query or page with ORDER BY ... LIMIT/OFFSET)", err=True)
