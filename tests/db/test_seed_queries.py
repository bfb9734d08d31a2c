"""The seed's SQL examples, verbatim, on a map an embedded game wrote, each checked against the game's own answer.

The scenario is built in the game over RCON (drills on ore with and without power, an assembling-machine-1 ghost);
fv_snapshot writes its files and deltas; the database loads them. The expected rows come from the game over RCON
(find_entities_filtered, find_tiles_filtered, electric_network_id) and are grouped into patches here, by a plain
flood fill independent of db/derived, over the chunks the snapshot holds.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Iterator
from typing import Any

import pytest

import duckdb

from factoryverse.db import connect, last_applied_seq, load_snapshot
from factoryverse.engine.server import GameServer, ServerConfig
from factoryverse.sdk import RconClient
from factoryverse.servers._map_db import GAME_NAMES_LUA, enum_names, parse_game_names
from tests._support.background import BackgroundServer

from ._seed_sql import (BEST_IRON, COASTS, DRILLS, GHOSTS, IRON_PATCHES, NEAREST_IRON, UNCOVERED,
                       UNPOWERED_DRILLS)

_PASSWORD = "seed-queries"
_TIMEOUT = 60.0
_CHUNK = 32

def _json_lua(body: str) -> str:
    return f"local s = game.surfaces[1] local out = {{}} {body} rcon.print(helpers.table_to_json(out))"


# Trees and rocks in the way of a build, then the build itself; raise_built as a player's build would.
_CLEAR_AND_BUILD = """
for _, e in pairs(s.find_entities_filtered{{area = {{{{{x0}, {y0}}}, {{{x1}, {y1}}}}}}}) do
  if e.type == 'tree' or e.type == 'simple-entity' then e.destroy() end
end
local e = s.create_entity{{{spec}, position = {{{x}, {y}}}, force = 'player', raise_built = true}}
out.unit = e and e.unit_number"""


class _Game:
    def __init__(self, rcon: RconClient) -> None:
        self.rcon = rcon

    async def lua(self, body: str) -> Any:
        reply = await self.rcon.lua(_json_lua(body))
        return json.loads(reply)

    async def status(self) -> dict[str, Any]:
        return await self.lua("out = remote.call('map', 'get_snapshot_status')")

    async def build(self, spec: str, x: float, y: float, half: float) -> int:
        body = _CLEAR_AND_BUILD.format(spec=spec, x=x, y=y, x0=x - half - 1, y0=y - half - 1, x1=x + half + 1,
                                       y1=y + half + 1)
        unit = (await self.lua(body)).get("unit")
        assert unit, f"the game did not build {spec} at {x}, {y}"
        return unit


def _run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, _TIMEOUT))


def _in_chunks(x: int, y: int, chunks: set[tuple[int, int]]) -> bool:
    return (x // _CHUNK, y // _CHUNK) in chunks


def _components(tiles: set[tuple[int, int]], diagonal: bool) -> list[set[tuple[int, int]]]:
    steps = [(1, 0), (-1, 0), (0, 1), (0, -1)]
    if diagonal:
        steps += [(1, 1), (1, -1), (-1, 1), (-1, -1)]
    left, out = set(tiles), []
    while left:
        start = left.pop()
        group, todo = {start}, [start]
        while todo:
            x, y = todo.pop()
            for dx, dy in steps:
                n = (x + dx, y + dy)
                if n in left:
                    left.remove(n)
                    group.add(n)
                    todo.append(n)
        out.append(group)
    return out


def _centroid(group: set[tuple[int, int]]) -> tuple[float, float]:
    return (sum(x for x, _ in group) / len(group) + 0.5, sum(y for _, y in group) / len(group) + 0.5)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The game's answers and the loaded database, for one scenario built through RCON."""
    out = tmp_path_factory.mktemp("seed-queries") / "script-output"
    config = ServerConfig(seed=1, rcon_port=0, rcon_password=_PASSWORD, script_output=out, mode="fast")
    with BackgroundServer(GameServer(config), timeout=_TIMEOUT, name="seed-queries-game") as served:
        facts = _run(_scenario(served.server.rcon.port))
    con = connect(out.parent / "map.duckdb")
    try:
        load_snapshot(con, out / facts["status"]["output_dir"], **enum_names(facts["names"]))
        facts["con"] = con
        yield facts
    finally:
        con.close()


async def _scenario(port: int) -> dict[str, Any]:
    async with RconClient("127.0.0.1", port, _PASSWORD, timeout=_TIMEOUT) as rcon:
        game = _Game(rcon)
        await game.lua("out = remote.call('map', 'set_snapshot_config', {run_id = 'seed-queries'})")
        status = await game.status()
        while status["phase"] != "complete":  # each look is an RCON round trip while the game runs
            status = await game.status()
        chunks = {(c["x"], c["y"]) for c in await game.lua(
            "for c in s.get_chunks() do out[#out + 1] = {x = c.x, y = c.y} end")}
        ores = await game.lua("for _, e in pairs(s.find_entities_filtered{type = 'resource'}) do "
                              "out[#out + 1] = {e.name, e.position.x, e.position.y, e.amount} end")
        def largest(name: str) -> dict[str, Any]:
            return max(_patches([o for o in ores if o[0] == name], chunks), key=lambda p: p["tile_count"])

        def middle(patch: dict[str, Any]) -> tuple[float, float]:
            return math.floor(patch["centroid"][0]) + 0.5, math.floor(patch["centroid"][1]) + 0.5

        iron = _patches([o for o in ores if o[0] == "iron-ore"], chunks)
        nearest = min(iron, key=lambda p: math.dist(p["centroid"], (0, 0)))
        # A burner drill at the nearest iron patch's centroid (no power), an electric drill on copper with a pole
        # beside it (powered) and one on coal without (no power); an assembling-machine-1 ghost in the open.
        cx, cy = round(nearest["centroid"][0]), round(nearest["centroid"][1])
        burner = await game.build("name = 'burner-mining-drill'", cx, cy, 1)
        ox, oy = middle(largest("copper-ore"))
        pole = await game.build("name = 'small-electric-pole'", ox - 2, oy, 0.5)
        powered = await game.build("name = 'electric-mining-drill'", ox, oy, 1.5)
        unpowered = await game.build("name = 'electric-mining-drill'", *middle(largest("coal")), 1.5)
        ghost = await game.build("name = 'entity-ghost', inner_name = 'assembling-machine-1'", -20.5, -20.5, 1.5)
        status = await game.status()
        drills = await game.lua(
            "for _, e in pairs(s.find_entities_filtered{type = 'mining-drill'}) do out[#out + 1] = {unit = "
            "e.unit_number, name = e.name, x = e.position.x, y = e.position.y, network = e.electric_network_id} end")
        ghosts = await game.lua(
            "for _, e in pairs(s.find_entities_filtered{name = 'entity-ghost', ghost_name = 'assembling-machine-1'}) "
            "do out[#out + 1] = {unit = e.unit_number, x = e.position.x, y = e.position.y} end")
        water = await game.lua("for _, t in pairs(s.find_tiles_filtered{name = {'water', 'deepwater'}}) do "
                               "out[#out + 1] = {t.position.x, t.position.y} end")
        names = parse_game_names(await rcon.lua(GAME_NAMES_LUA))
    return {"status": status, "chunks": chunks, "ores": ores, "drills": drills, "ghosts": ghosts, "water": water,
            "names": names, "built": {"burner": burner, "pole": pole, "powered": powered, "unpowered": unpowered,
                                      "ghost": ghost}}


def _patches(ores: list[list[Any]], chunks: set[tuple[int, int]]) -> list[dict[str, Any]]:
    amount = {(math.floor(x), math.floor(y)): a for _, x, y, a in ores
              if _in_chunks(math.floor(x), math.floor(y), chunks)}
    return [{"tile_count": len(g), "total_amount": sum(amount[t] for t in g), "centroid": _centroid(g)}
            for g in _components(set(amount), diagonal=True)]


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _snapshot_chunks(world: dict[str, Any]) -> set[tuple[int, int]]:
    return {(cx, cy) for cx, cy in world["con"].execute("SELECT cx, cy FROM chunk WHERE surface = 'nauvis'").fetchall()}


def _game_iron(world: dict[str, Any]) -> list[dict[str, Any]]:
    return _patches([o for o in world["ores"] if o[0] == "iron-ore"], _snapshot_chunks(world))


def test_the_database_holds_every_delta_the_game_wrote(world) -> None:
    # The game ran on after the answers were read (power and status samples); the database loaded its files after
    # it stopped, so it holds at least the deltas of the builds.
    assert last_applied_seq(world["con"]) >= world["status"]["seq"] >= 5


def test_nearest_iron_patches(world) -> None:
    rows = _rows(world["con"], NEAREST_IRON)
    game = sorted(_game_iron(world), key=lambda p: math.dist(p["centroid"], (0, 0)))
    assert len(rows) == len(game) >= 1
    assert [r["total_amount"] for r in rows] == [p["total_amount"] for p in game]
    assert [r["distance"] for r in rows] == pytest.approx([math.dist(p["centroid"], (0, 0)) for p in game])


def test_best_iron_patches(world) -> None:
    rows = _rows(world["con"], BEST_IRON)
    game = sorted(_game_iron(world), key=lambda p: (-p["total_amount"], math.dist(p["centroid"], (0, 0))))
    assert [(r["resource_name"], r["total_amount"]) for r in rows] == [("iron-ore", p["total_amount"]) for p in game]
    assert [r["distance_from_spawn"] for r in rows] == pytest.approx(
        [math.dist(p["centroid"], (0, 0)) for p in game])


def test_iron_patch_rows(world) -> None:
    rows = _rows(world["con"], IRON_PATCHES)
    game = _game_iron(world)
    assert sorted((r["tile_count"], r["total_amount"]) for r in rows) == sorted(
        (p["tile_count"], p["total_amount"]) for p in game)


def test_unpowered_drills(world) -> None:
    rows = _rows(world["con"], UNPOWERED_DRILLS)
    game = [d for d in world["drills"] if d.get("network") is None]
    assert {world["built"]["burner"], world["built"]["unpowered"]} <= {d["unit"] for d in game}
    assert world["built"]["powered"] not in {d["unit"] for d in game}
    assert sorted((r["entity_key"], r["position"]["x"], r["position"]["y"]) for r in rows) == sorted(
        (d["unit"], d["x"], d["y"]) for d in game)


def test_burner_drills(world) -> None:
    rows = _rows(world["con"], DRILLS)
    game = [d for d in world["drills"] if d["name"] == "burner-mining-drill"]
    assert sorted((r["entity_key"], r["position"]["x"], r["position"]["y"]) for r in rows) == sorted(
        (d["unit"], d["x"], d["y"]) for d in game) != []


def test_assembler_ghosts(world) -> None:
    rows = _rows(world["con"], GHOSTS)
    assert sorted((r["entity_key"], r["position"]["x"], r["position"]["y"]) for r in rows) == sorted(
        (g["unit"], g["x"], g["y"]) for g in world["ghosts"]) == [(world["built"]["ghost"], -20.5, -20.5)]


def test_uncovered_patches(world) -> None:
    rows = _rows(world["con"], UNCOVERED)
    chunks = _snapshot_chunks(world)
    drills = [(d["x"], d["y"]) for d in world["drills"]]
    game: dict[str, int] = {}
    for name in sorted({o[0] for o in world["ores"]}):
        for p in _patches([o for o in world["ores"] if o[0] == name], chunks):
            if not any(math.dist(p["centroid"], d) <= 2 for d in drills):
                game[name] = game.get(name, 0) + 1
    assert {r["resource_name"]: r["uncovered_patches"] for r in rows} == game
    # The burner drill sits on the nearest iron patch's centroid: that patch is covered.
    assert game.get("iron-ore", 0) == len(_game_iron(world)) - 1


def test_coasts(world) -> None:
    rows = _rows(world["con"], COASTS)
    chunks = _snapshot_chunks(world)
    water = {(math.floor(x), math.floor(y)) for x, y in world["water"]}
    known = {t for t in water if _in_chunks(*t, chunks)}
    game = []
    for group in _components(known, diagonal=False):
        coast = sum(1 for x, y in group for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))
                    if (x + dx, y + dy) not in water and _in_chunks(x + dx, y + dy, chunks))
        if coast > 20:
            game.append((coast, len(group)))
    assert game, "the seed-1 start area has a lake"
    found = [(r["coast_length"], r["total_area"]) for r in rows]
    assert sorted(found) == sorted(game)
    assert [c for c, _ in found] == sorted((c for c, _ in found), reverse=True)
