"""fv_snapshot writes nothing until it has a run id, and names the run in every record.

Regression tests for issue 6, item 1: the mod started writing at on_init and a new game restarted seq at 1 in
the old game's files, so readers mixed two games. Every test runs on each Factorio version (conftest.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factoryverse.engine.engine import Engine

from .test_mods_on_engine import _call



def _records(root: Path) -> list[dict]:
    return [json.loads(line) for path in sorted(root.rglob("*.jsonl")) for line in path.read_text().splitlines()]


def _bootstrap(engine: Engine) -> dict:
    for _ in range(1000):  # the bootstrap's per-tick budget takes ~570 ticks for the start area
        status = _call(engine, "map", "get_snapshot_status")
        if status["phase"] == "complete":
            return status
        engine.step()
    raise AssertionError(f"bootstrap did not complete: {status}")


def _build_chest(engine: Engine, x: float) -> None:
    reply = engine.execute_command(
        f"/sc game.surfaces[1].create_entity{{name = 'wooden-chest', position = {{{x}, 0.5}}, force = 'player', "
        "raise_built = true}"
    )
    assert reply == "", reply


def test_nothing_is_written_before_a_run_id(engine, tmp_path):
    for _ in range(60):
        engine.step()
    assert not (tmp_path / "fv_snapshot").exists()
    status = _call(engine, "map", "get_snapshot_status")
    assert status["phase"] == "waiting" and "run_id" not in status
    reply = engine.execute_command("/sc remote.call('map', 'take_snapshot')")
    assert "[fv:invalid_state]" in reply and "set_snapshot_config" in reply


def test_every_record_and_delta_names_the_run(engine, tmp_path):
    assert _call(engine, "map", "set_snapshot_config", "{run_id = 'run-a', udp_port = 34999}") == {
        "udp_port": 34999, "run_id": "run-a", "new_run": True}
    _bootstrap(engine)
    _build_chest(engine, 3.5)
    records = _records(tmp_path / "fv_snapshot")
    assert len(records) > 1000
    assert {r["run_id"] for r in records} == {"run-a"}
    assert {r["schema_version"] for r in records} == {3}
    built = [r for r in records if r["type"] == "entity_built"]
    assert [r["seq"] for r in built] == [1] and built[0]["entity"]["run_id"] == "run-a"


def test_a_new_run_removes_the_old_runs_files_and_counts_from_one(engine, tmp_path):
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-a'}")
    _bootstrap(engine)
    _build_chest(engine, 3.5)
    _build_chest(engine, 5.5)
    stale = tmp_path / "fv_snapshot" / "nauvis" / "updates.jsonl"
    assert len(stale.read_text().splitlines()) == 2

    assert _call(engine, "map", "set_snapshot_config", "{run_id = 'run-b'}")["new_run"] is True
    assert not stale.exists()  # the old run's log is gone, not appended to
    status = _bootstrap(engine)
    assert status["run_id"] == "run-b" and status["seq"] == 0
    _build_chest(engine, 7.5)
    records = _records(tmp_path / "fv_snapshot")
    assert {r["run_id"] for r in records} == {"run-b"}
    assert [r["seq"] for r in records if r["type"] == "entity_built"] == [1]
    # The chests of run-a are still in the world, so the new run's snapshot lists them as entities.
    assert sum(1 for r in records if r["type"] == "entity" and r["name"] == "wooden-chest") == 2


def test_the_same_run_id_again_changes_nothing(engine, tmp_path):
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-a'}")
    _bootstrap(engine)
    _build_chest(engine, 3.5)
    assert _call(engine, "map", "set_snapshot_config", "{run_id = 'run-a'}")["new_run"] is False
    assert _call(engine, "map", "get_snapshot_status")["seq"] == 1


@pytest.mark.parametrize("bad", ["''", "'has space'", "'../up'", "42", "'" + "x" * 65 + "'"])
def test_a_bad_run_id_is_refused_and_changes_nothing(engine, tmp_path, bad):
    reply = engine.execute_command(f"/sc remote.call('map', 'set_snapshot_config', {{run_id = {bad}, udp_port = 5}})")
    assert "[fv:invalid_argument]" in reply and "run_id" in reply
    status = _call(engine, "map", "get_snapshot_status")
    assert status["phase"] == "waiting" and status["udp_port"] != 5


def test_map_describes_itself_as_the_contract_says(engine):
    """The `map` interface declares its methods once and describe() hands them out; the contract mirrors them."""
    described = _call(engine, "map", "describe")
    assert described["interface"] == "map" and described["mod"] == "fv_snapshot"
    contract = json.loads((Path(__file__).resolve().parents[2] / "src" / "factoryverse" / "schemas"
                           / "remote_interfaces.json").read_text(encoding="utf-8"))["interfaces"]["map"]["methods"]
    methods = {m["name"]: m for m in described["methods"]}
    assert list(methods) == list(contract)
    for name, spec in contract.items():
        got = methods[name]
        assert (got["params"] or []) == spec["params"], name  # table_to_json writes an empty table as []
        assert (got["errors"] or []) == spec["errors"] and got["returns"] == spec["returns"], name
        assert got["doc"] == spec["doc"], name
    # The declared bounds are the ones the shared validator (scripts/declare.lua) applies, naming the parameter.
    for bad, field in (("{udp_port = 0}", "config.udp_port must be between 1 and 65535"),
                       ("{udp_port = 1.5}", "config.udp_port must be an integer"),
                       ("{run_id = 'a b'}", "config.run_id must match"),
                       ("{run_id = '" + "x" * 65 + "'}", "config.run_id must be at most 64 characters"),
                       ("{port = 1}", 'config has no field "port"; it takes udp_port, run_id'),
                       ("'run-1'", "config must be a table"), ("", "config is required"),
                       ("{}, 2", "set_snapshot_config takes at most 1 arguments")):
        reply = engine.execute_command(f"/sc remote.call('map', 'set_snapshot_config'{', ' if bad else ''}{bad})")
        assert "[fv:invalid_argument]" in reply and field in reply, reply
    # Methods without parameters go through the same validator: an argument is refused, not ignored.
    reply = engine.execute_command("/sc remote.call('map', 'take_snapshot', 1)")
    assert "[fv:invalid_argument] take_snapshot takes at most 0 arguments" in reply, reply
    assert _call(engine, "map", "get_snapshot_status")["phase"] == "waiting"
