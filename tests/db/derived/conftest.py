"""A map database with the real schema, and helpers writing raw rows the way the loader stores them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from factoryverse.db import connect
from factoryverse.db.schema import create_schema


@pytest.fixture
def db(tmp_path: Path):
    con = connect(tmp_path / "map.duckdb")
    con.begin()  # one commit for the whole layout: a file database syncs on each
    create_schema(con)
    con.commit()
    yield con
    con.close()


def add_tiles(con: duckdb.DuckDBPyConnection, tiles: Iterable[tuple[int, int]], *, name: str = "iron-ore",
              amount: int = 10, surface: str = "nauvis") -> None:
    values = ", ".join(f"({int(x)}, {int(y)})" for x, y in tiles)
    if values:
        con.execute("INSERT INTO resource_tile SELECT ?, ?, x, y, ?, ST_MakeEnvelope(x, y, x + 1, y + 1) "
                    f"FROM (VALUES {values}) v(x, y)", [surface, name, amount])


def remove_tiles(con: duckdb.DuckDBPyConnection, tiles: Iterable[tuple[int, int]], *, name: str = "iron-ore",
                 surface: str = "nauvis") -> None:
    for x, y in tiles:
        con.execute("DELETE FROM resource_tile WHERE surface = ? AND name = ? AND x = ? AND y = ?", [surface, name, x, y])


def add_water(con: duckdb.DuckDBPyConnection, tiles: Iterable[tuple[int, int]], *, surface: str = "nauvis") -> None:
    values = ", ".join(f"({int(x)}, {int(y)})" for x, y in tiles)
    if values:
        con.execute("INSERT INTO water_tile SELECT ?, 'water', x, y, ST_MakeEnvelope(x, y, x + 1, y + 1) "
                    f"FROM (VALUES {values}) v(x, y)", [surface])


def chart(con: duckdb.DuckDBPyConnection, chunks: Iterable[tuple[int, int]], *, surface: str = "nauvis") -> None:
    for cx, cy in chunks:
        con.execute("INSERT INTO chunk VALUES (?, ?, ?, 0, ST_MakeEnvelope(?, ?, ?, ?))",
                    [surface, cx, cy, cx * 32, cy * 32, cx * 32 + 32, cy * 32 + 32])


def put_belt(con: duckdb.DuckDBPyConnection, key: int, x: float, y: float, direction: str, *,
             inputs: Iterable[int] = (), outputs: Iterable[int] = (), name: str = "transport-belt",
             surface: str = "nauvis") -> None:
    """Insert or replace one belt's map_entity and transport_belt rows, as an entity record stores them."""
    drop_entity(con, key)
    half = 0.5
    con.execute(
        "INSERT INTO map_entity (entity_key, entity_name, entity_type, surface, position, bbox, direction, force) "
        "VALUES (?, ?, 'transport-belt', ?, {'x': ?, 'y': ?}, ST_MakeEnvelope(?, ?, ?, ?), ?, 'player')",
        [key, name, surface, x, y, x - half, y - half, x + half, y + half, direction])
    con.execute("INSERT INTO transport_belt VALUES (?, ?, ?, ?)",
                [key, direction, list(inputs) or None, list(outputs) or None])


def drop_entity(con: duckdb.DuckDBPyConnection, key: int) -> None:
    con.execute("DELETE FROM transport_belt WHERE entity_key = ?", [key])
    con.execute("DELETE FROM map_entity WHERE entity_key = ?", [key])


@contextlib.contextmanager
def batch(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction, as the sync applies a batch of deltas (and a file database commits once)."""
    con.begin()
    try:
        yield
    except BaseException:
        con.rollback()
        raise
    con.commit()


def table_rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


def as_rebuilt(con: duckdb.DuckDBPyConnection, rebuild, *sqls: str) -> Any:
    """What `sqls` return after a full rebuild, leaving the database as it was (the rebuild is rolled back).

    One query gives its rows; several give a list of their rows.
    """
    con.begin()
    try:
        rebuild(con)
        rows = [table_rows(con, sql) for sql in sqls]
    finally:
        con.rollback()
    return rows[0] if len(rows) == 1 else rows


def put_drill(con: duckdb.DuckDBPyConnection, key: int, x: float, y: float, *, reach: float = 0.99,
              surface: str = "nauvis") -> None:
    """A burner mining drill (2x2, mining area radius 0.99: burner-mining-drill.resource_searching_radius)."""
    con.execute(
        "INSERT INTO map_entity (entity_key, entity_name, entity_type, surface, position, bbox, direction, force) "
        "VALUES (?, 'burner-mining-drill', 'mining-drill', ?, {'x': ?, 'y': ?}, ST_MakeEnvelope(?, ?, ?, ?), "
        "'north', 'player')", [key, surface, x, y, x - 1, y - 1, x + 1, y + 1])
    con.execute("INSERT INTO mining_drill (entity_key, mining_area) VALUES (?, ST_MakeEnvelope(?, ?, ?, ?))",
                [key, x - reach, y - reach, x + reach, y + reach])


def drop_drill(con: duckdb.DuckDBPyConnection, key: int) -> None:
    con.execute("DELETE FROM mining_drill WHERE entity_key = ?", [key])
    con.execute("DELETE FROM map_entity WHERE entity_key = ?", [key])
