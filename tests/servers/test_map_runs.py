"""The front ends' map reads follow the game: a new run rebuilds the map and says so; a damaged log is repaired.

Regression tests for issue 6, item 1, through the shared backend that `fv sql`, MCP and the dashboard use.
"""

from __future__ import annotations

import json

from factoryverse.servers import operations
from tests.servers._instance import place_chest, running_instance, wait_snapshot_complete


def _chests(instance_id: int) -> list[dict]:
    return operations.sql(instance_id, "SELECT position.x AS x, position.y AS y FROM map_entity WHERE entity_name = 'wooden-chest' "
                                       "ORDER BY x").rows


def test_a_new_run_and_a_damaged_log_are_met_with_a_rebuild_and_a_notice(tmp_path):
    with running_instance(tmp_path / "home") as inst:
        place_chest(inst, 3.5, 3.5)
        first = operations.sql(inst.id, "SELECT count(*) AS n FROM map_entity WHERE entity_name = 'wooden-chest'")
        assert first.rows == [{"n": 1}] and first.notice is None

        # The same server starts a new run (a loaded save gets one too): seq restarts at 1 in new files.
        operations.run_lua(inst.id, "remote.call('map', 'set_snapshot_config', {run_id = 'second-run'})")
        wait_snapshot_complete(inst)
        place_chest(inst, 5.5, 5.5)
        after = operations.sql(inst.id, "SELECT position.x AS x FROM map_entity WHERE entity_name = 'wooden-chest' ORDER BY x")
        # The chest of the first run is still in the world (the new snapshot lists it); the new one is a delta.
        assert after.rows == [{"x": 3.5}, {"x": 5.5}]
        assert after.notice and "second-run" in after.notice and "new game" in after.notice

        # A crash mid-write cuts the line of the next delta, whose seq the database then needs.
        place_chest(inst, 7.5, 7.5)
        log = inst.script_output / "fv_snapshot" / "nauvis" / "updates.jsonl"
        lines = log.read_text().splitlines()
        log.write_text("\n".join([*lines[:-1], lines[-1][:40]]) + "\n")
        repaired = operations.sql(inst.id, "SELECT position.x AS x FROM map_entity WHERE entity_name = 'wooden-chest' ORDER BY x")
        assert repaired.rows == [{"x": 3.5}, {"x": 5.5}, {"x": 7.5}]
        assert repaired.notice and "damaged at line 2" in repaired.notice
        assert (log.parent / "updates.jsonl.damaged-1").exists()
        status = json.loads(operations.run_lua(
            inst.id, "rcon.print(helpers.table_to_json(remote.call('map', 'get_snapshot_status')))"))
        assert status["run_id"] == "second-run" and status["phase"] == "complete"
        assert operations.sql(inst.id, "SELECT count(*) AS n FROM map_entity").notice is None
