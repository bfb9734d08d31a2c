"""The `fv` command line: embedded servers, the demo, SQL over a server's map database."""

from __future__ import annotations

import typer

from factoryverse.cli import server as _server
from factoryverse.cli.demo import demo as _demo
from factoryverse.cli.sql import sql as _sql

__all__ = ["app", "main"]

app = typer.Typer(
    help="FactoryVerse: AI-agent research in Factorio, on an embedded engine or a real server.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(_server.app, name="server")
app.command("demo")(_demo)
app.command("sql")(_sql)


def main() -> None:
    app()
