"""The README's own flow answers from the game that is running, never from an earlier one.

Regression for issue 6, item 1: after `make demo` (seed 1), `fv server start --num 4 --detach` (seed 0) reused
instance 0's folder; `fv sql` on it answered the demo's water tiles and listed the demo's drill and furnace, and
a second demo reported `applied=0, duplicates=2` (the new game's deltas taken for the old game's).
"""

from __future__ import annotations

import json
import re

from factorio_rcon import RCONClient
from typer.testing import CliRunner

from factoryverse.cli import app

runner = CliRunner()

# The game's own count of water tiles in the chunks the snapshot covers (every chunk a force has charted).
_WATER_LUA = (
    "local s, n = game.surfaces.nauvis, 0 "
    "for c in s.get_chunks() do "
    "  if game.forces.player.is_chunk_charted(s, {x = c.x, y = c.y}) then "
    "    n = n + #s.find_tiles_filtered{area = c.area, collision_mask = 'water_tile'} "
    "  end "
    "end rcon.print(n)"
)


def _sql(statement: str, *extra: str) -> list[dict]:
    result = runner.invoke(app, ["sql", "--json", *extra, statement])
    assert result.exit_code == 0, result.output
    return json.loads(result.output[result.output.index("["):])


def test_demo_twice_then_a_new_server_answers_from_its_own_game(fv_home):
    for _ in range(2):
        demo = runner.invoke(app, ["demo"])
        assert demo.exit_code == 0, demo.output
        text = re.search(r"sync: SyncStats\((.*)\)", demo.output).group(1)
        stats = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", text)}
        # The demo's own builds reach its database: a reused folder made them duplicates of the last game's. A
        # datagram may still come after the service read its seq from the update log (counted from_disk): only
        # those are honest duplicates.
        assert stats["applied"] > 0 and stats["duplicates"] <= stats["from_disk"], text

    started = runner.invoke(app, ["server", "start", "--num", "1", "--detach", "--mode", "fast", "--seed", "3"])
    assert started.exit_code == 0, started.output
    inst = json.loads(runner.invoke(app, ["server", "status", "--json"]).output)[0]
    client = RCONClient(inst["rcon_host"], inst["rcon_port"], inst["rcon_password"])
    try:
        for _ in range(500):
            if client.send_command("/sc rcon.print(remote.call('map', 'get_snapshot_status').phase)") == "complete":
                break
        water = int(client.send_command("/sc " + _WATER_LUA))
    finally:
        client.close()

    assert _sql("SELECT count(*) AS n FROM water_tile") == [{"n": water}]
    assert _sql("SELECT count(*) AS n FROM map_entity WHERE entity_name IN ('burner-mining-drill', 'stone-furnace')") == [
        {"n": 0}]
    assert _sql("SELECT value FROM sync_state WHERE key = 'run_id'") == [{"value": inst["run_id"]}]
