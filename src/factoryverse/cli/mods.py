"""`fv mods package`: FactoryVerse's mods as mod-portal zips for one Factorio version."""

from __future__ import annotations

from pathlib import Path

import typer

from factoryverse.engine.factorio_versions import DEFAULT_FACTORIO_VERSION, VERSIONS
from factoryverse.servers.mod_packages import ModPackageError, package_mods

__all__ = ["app"]

app = typer.Typer(help="FactoryVerse's Factorio mods.", no_args_is_help=True)


@app.command("package")
def package(
    output: Path = typer.Option(Path("dist/mods"), "--output", "-o", help="Folder to write the zips into."),
    factorio_version: str = typer.Option(
        DEFAULT_FACTORIO_VERSION, "--factorio-version",
        help=f"The Factorio version the mods are for ({', '.join(sorted(VERSIONS))}): what info.json declares."),
    unpacked: bool = typer.Option(
        False, "--unpacked",
        help="Write mod folders instead of zips (the embedded engine's --mods-dir loads folders)."),
) -> None:
    """Write each mod as <name>_<version>.zip (one top folder <name>_<version>/), declaring the given Factorio
    version in its info.json, plus a mod-list.json enabling them: copy the folder's contents into a Factorio
    server's mods folder."""
    if factorio_version not in VERSIONS:
        raise typer.BadParameter(f"give one of {', '.join(sorted(VERSIONS))}", param_hint="--factorio-version")
    try:
        written = package_mods(output, factorio_version, unpacked=unpacked)
    except ModPackageError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    for path in written:
        typer.echo(str(path))
