"""The `fv` command line: embedded servers, the demo, SQL over a server's map database."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import typer

from factoryverse.cli import data as _data
from factoryverse.cli.agent import agent as _agent
from factoryverse.cli import mods as _mods
from factoryverse.cli import server as _server
from factoryverse.cli.demo import demo as _demo
from factoryverse.cli.sql import SQL_CONTEXT_SETTINGS
from factoryverse.cli.sql import sql as _sql

__all__ = ["app", "main"]

app = typer.Typer(
    help="FactoryVerse: AI-agent research in Factorio, on an embedded engine or a real server.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(_server.app, name="server")
app.add_typer(_data.app, name="data")
app.add_typer(_mods.app, name="mods")
app.command("demo")(_demo)
app.command("agent")(_agent)
app.command("sql", context_settings=SQL_CONTEXT_SETTINGS)(_sql)


def _package_version() -> str:
    try:
        return version("factoryverse")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"fv {_package_version()}")
        raise typer.Exit()


@app.callback()
def _main(
    _version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                  help="Print the FactoryVerse version and exit."),
) -> None:
    """FactoryVerse: AI-agent research in Factorio, on an embedded engine or a real server."""


def main() -> None:
    app()
