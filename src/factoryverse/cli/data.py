"""`fv data`: a server's map database. `refresh` rebuilds it from the game's snapshot files, `schema` says what
its tables and columns mean (from the COMMENTs in DuckDB's catalog, so it follows the schema as it grows)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Optional

import typer

from factoryverse.cli.sql import pick_instance
from factoryverse.db import DatabaseError, TableInfo, connect, create_schema, describe_schema
from factoryverse.servers import operations

__all__ = ["app", "format_schema", "NO_COMMENT"]

app = typer.Typer(help="A server's map database: rebuild it from the game's snapshot files, describe its tables.",
                  no_args_is_help=True)

# Printed where a table or column has no COMMENT, so the gap is visible rather than a blank.
NO_COMMENT = "(no comment)"
# Composite types (STRUCTs of many fields) are cut in the table layout; --json keeps them whole.
_MAX_TYPE_WIDTH = 40


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


def format_schema(tables: list[TableInfo]) -> str:
    """Each table (or view) with its meaning, then one line per column: name, type, NOT NULL, meaning."""
    blocks = []
    for table in tables:
        kind = "" if table.kind == "table" else f" ({table.kind})"
        lines = [f"{table.name}{kind}: {table.comment or NO_COMMENT}"]
        names = max((len(c.name) for c in table.columns), default=0)
        types = [_clip(c.type) + ("" if c.nullable else " NOT NULL") for c in table.columns]
        width = max((len(t) for t in types), default=0)
        for column, type_text in zip(table.columns, types):
            lines.append(f"  {column.name.ljust(names)}  {type_text.ljust(width)}  {column.comment or NO_COMMENT}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_TYPE_WIDTH else text[:_MAX_TYPE_WIDTH - 3] + "..."


def _summary(tables: list[TableInfo]) -> str:
    columns = sum(len(t.columns) for t in tables)
    bare_tables = sum(1 for t in tables if not t.comment)
    bare_columns = sum(1 for t in tables for c in t.columns if not c.comment)
    gaps = (f"; without a comment: {bare_tables} of the tables, {bare_columns} of the columns"
            if bare_tables or bare_columns else "; every one has a comment")
    return f"({len(tables)} tables, {columns} columns{gaps})"


def _server_tables(server: int) -> list[TableInfo]:
    # The database is caught up (created if need be) first, so it has the tables a query would see.
    try:
        done = operations.sync_map(server)
    except operations.BackendError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e
    try:
        con = connect(done["db_path"], read_only=True)
    except DatabaseError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from e
    try:
        return describe_schema(con)
    finally:
        con.close()


def _fresh_tables() -> list[TableInfo]:
    # A database built right here by this version's schema: no server needed, the same tables a new map gets.
    con = connect(":memory:")
    try:
        create_schema(con)
        return describe_schema(con)
    finally:
        con.close()


@app.command("schema")
def schema(
    tables: Optional[list[str]] = typer.Argument(None, help="Only these tables (default: every one)."),
    server: Optional[int] = typer.Option(
        None, "--server", "-s",
        help="Describe this instance's database (its ENUM types are the game's). Default: the layout this "
             "FactoryVerse version creates, name columns shown as VARCHAR where a game's database has ENUMs.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the tables as JSON."),
) -> None:
    """Print every table and column of the map database with its meaning."""
    if server is not None:
        pick_instance(server)  # an unknown id is a usage error naming --server
        found = _server_tables(server)
    else:
        found = _fresh_tables()
    if tables:
        known = {t.name for t in found}
        unknown = [name for name in tables if name not in known]
        if unknown:
            raise typer.BadParameter(f"no table {', '.join(map(repr, unknown))}; the tables are: "
                                     f"{', '.join(sorted(known))}", param_hint="TABLES")
        found = [t for t in found if t.name in tables]
    if as_json:
        typer.echo(json.dumps([asdict(t) for t in found], indent=2))
        return
    typer.echo(format_schema(found))
    typer.echo(_summary(found))
