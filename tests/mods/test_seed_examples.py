"""The seed's own RCON and Lua examples (seed 004, sections A.3, A.4 and A.7), sent unchanged over a real RCON socket
to the embedded game server with the three mods, through the same client library the seed's `rcon.send_command`
comes from (factorio-rcon-py).

The set-up the seed leaves out (a stone furnace at {10, 20}, an agent beside it with coal, and the Lua variables
`area` and `drill_pos` of A.7) is made by separate commands; every command the seed writes is sent as it is written,
and an A.7 line, being Lua, runs inside a command that defines its variables first and prints its answer. The A.4
lines (walk_to, mine_resource, craft_enqueue) run in tests/mods/test_embodied_agent.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import factorio_rcon
import pytest

from factoryverse.engine.server import GameServer, ServerConfig
from tests._support.background import BackgroundServer

PASSWORD = "seed-examples"

# Section A.3, verbatim.
SEED_INSPECT = (
    "/c rcon.print(helpers.table_to_json("
    "remote.call('agent_1', 'inspect_entity', 'stone-furnace', {x=10, y=20})"
    "))"
)
SEED_PUT = (
    "/c rcon.print(helpers.table_to_json("
    "remote.call('agent_1', 'put_inventory_item', 'coal', 5, 'stone-furnace', {x=10, y=20})"
    "))"
)
# Section A.7, verbatim.
SEED_VALIDATE = 'remote.call("placement_hints", "validate_placement", "iron-chest", {x=10, y=20})'
SEED_DRILLS = 'remote.call("placement_hints", "get_resource_placements", "electric-mining-drill", area, {max_results=50})'
SEED_DROP = 'remote.call("placement_hints", "get_item_drop_connections", "electric-mining-drill", drill_pos, "iron-chest")'

# The ground the examples use, cleared of the map's trees and rocks.
_CLEAR = ("/sc local s = game.surfaces[1] for _, e in pairs(s.find_entities_filtered{area = {{4, 14}, {16, 26}}}) do "
          "if e.type ~= 'character' then e.destroy() end end")


@pytest.fixture(params=["2.0", "2.1"], ids=lambda v: f"factorio-{v}")
def rcon(request, tmp_path: Path, packaged_mods) -> Iterator[factorio_rcon.RCONClient]:
    mods = packaged_mods[request.param] or Path(__file__).resolve().parents[2] / "mods"
    config = ServerConfig(seed=1, rcon_port=0, rcon_password=PASSWORD, mods_dir=mods, mode="paused",
                          script_output=tmp_path / "out", factorio_version=request.param, autosave_minutes=0)
    with BackgroundServer(GameServer(config), timeout=60, name="seed-examples") as served:
        client = factorio_rcon.RCONClient("127.0.0.1", served.server.rcon.port, PASSWORD, timeout=30)
        try:
            yield client
        finally:
            client.close()


def _json(client: factorio_rcon.RCONClient, command: str) -> dict:
    reply = client.send_command(command)
    assert reply and not reply.startswith("Cannot execute"), reply
    return json.loads(reply)


def _quiet(client: factorio_rcon.RCONClient, command: str) -> None:
    """A command that prints nothing (factorio-rcon-py gives None for an empty reply)."""
    reply = client.send_command(command)
    assert not reply, reply


def _printed(client: factorio_rcon.RCONClient, setup: str, seed_line: str) -> dict:
    return _json(client, f"/c {setup} rcon.print(helpers.table_to_json({seed_line}))")


def test_the_seeds_rcon_examples_run_unchanged(rcon):
    _quiet(rcon, _CLEAR)
    _quiet(rcon, "/sc game.surfaces[1].create_entity{name = 'stone-furnace', position = {10, 20}, force = 'player'}")
    agent = _json(rcon, "/sc rcon.print(helpers.table_to_json(remote.call('agent', 'create_agent', 34999, "
                        "{position = {x = 12.5, y = 20.5}})))")
    assert agent["interface_name"] == "agent_1"
    _json(rcon, "/sc rcon.print(helpers.table_to_json(remote.call('admin', 'add_items', 1, {coal = 5})))")

    furnace = _json(rcon, SEED_INSPECT)
    assert furnace["name"] == "stone-furnace" and furnace["position"] == {"x": 10, "y": 20}
    assert furnace["reachable"] is True and not furnace["inventories"].get("fuel")
    put = _json(rcon, SEED_PUT)
    assert put["inserted"] == 5 and put["inventory"] == "fuel"
    assert _json(rcon, SEED_INSPECT)["inventories"]["fuel"] == {"coal": 5}
    assert "coal" not in _json(rcon, "/sc rcon.print(helpers.table_to_json("
                                     "remote.call('agent_1', 'get_inventory_items')))")
    # Putting five more: the agent has none left, and the game's answer names the item.
    refused = rcon.send_command(SEED_PUT)
    assert refused.startswith("Cannot execute") and "coal" in refused and "[fv:" in refused


def test_the_seeds_placement_hints_examples_run_unchanged(rcon):
    _quiet(rcon, _CLEAR)
    assert _printed(rcon, "", SEED_VALIDATE) == {"valid": True, "entity_name": "iron-chest",
                                                 "position": {"x": 10, "y": 20}}
    # An iron field near the start: `area` around its first ore tile, as an agent would pick it.
    ore = ("local ore = game.surfaces[1].find_entities_filtered{name = 'iron-ore', "
           "area = {{-200, -200}, {200, 200}}, limit = 1}[1].position "
           "local area = {{ore.x - 16, ore.y - 16}, {ore.x + 16, ore.y + 16}}")
    drills = _printed(rcon, ore, SEED_DRILLS)
    placements = drills["placements"]
    assert 1 <= len(placements) <= 50 and drills["mining_radius"] > 0
    assert all(p["resources"].get("iron-ore") for p in placements)
    first = placements[0]["position"]
    drill_pos = f"local drill_pos = {{x = {first['x']}, y = {first['y']}}}"
    drop = _printed(rcon, drill_pos, SEED_DROP)
    assert drop["built"] is False and drop["connections"]
    chest = drop["connections"][0]
    # The answer holds in the game: a chest where it says is placeable.
    where = f"{{x = {chest['position']['x']}, y = {chest['position']['y']}}}"
    assert rcon.send_command(f"/sc rcon.print(game.surfaces[1].can_place_entity{{name = 'iron-chest', "
                             f"position = {where}, force = 'player'}})") == "true"
    # With the furnace of A.3 standing there, the seed's validate_placement names it as the blocker.
    _quiet(rcon, "/sc game.surfaces[1].create_entity{name = 'stone-furnace', position = {10, 20}, force = 'player'}")
    blocked = _printed(rcon, "", SEED_VALIDATE)
    assert blocked["valid"] is False and blocked["blockers"][0]["name"] == "stone-furnace"
