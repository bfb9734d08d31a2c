"""The embedded Factorio-compatible engine: runs the mods' Lua against an emulation of Factorio's runtime API.

It is the game: nothing here imports the SDK, the database or the front ends. ``Engine`` is the in-process API;
``engine.server`` serves it over RCON.
"""

__all__ = ["Engine"]


def __getattr__(name: str):
    # Lazy, so `python -m factoryverse.engine.server` and the API member tools don't pay for the whole engine.
    if name == "Engine":
        from factoryverse.engine.engine import Engine

        return Engine
    raise AttributeError(name)
