"""Console helpers for the API tests: `p(...)` prints its arguments joined by tabs (rcon.print takes one)."""

from __future__ import annotations

from factoryverse.engine.engine import Engine

__all__ = ["PRINT", "run", "fails"]

PRINT = ("local function p(...) local t = {} for i = 1, select('#', ...) do t[i] = tostring((select(i, ...))) end "
         "rcon.print(table.concat(t, '\\t')) end ")


def run(engine: Engine, code: str) -> str:
    reply = engine.execute_command("/sc " + PRINT + code)
    assert not reply.startswith("Cannot execute"), reply
    return reply


def fails(engine: Engine, code: str) -> str:
    reply = engine.execute_command("/sc " + PRINT + code)
    assert reply.startswith("Cannot execute"), reply
    return reply
