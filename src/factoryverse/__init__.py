"""FactoryVerse: Factorio mods, an async SDK, a spatial map database and an embedded Factorio-compatible engine.

Subpackages: ``engine`` (the game), ``sdk`` (talks to any game over RCON/UDP/files), ``db`` (DuckDB map),
``cli`` (``fv``), ``mcp`` (``factoryverse-mcp``), ``ui`` (``fv-ui``).
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
