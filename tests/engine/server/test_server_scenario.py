"""`python -m factoryverse.engine.server --scenario NAME`: the game runs the mod's scenario as its level script (the
READY line names it, RCON sees the level's storage), and an unknown name fails at once listing the scenarios."""

from __future__ import annotations

import json

from factorio_rcon import RCONClient

from .test_server_process import PASSWORD, TIMEOUT, _start, _stop


def test_the_server_runs_a_scenario_named_by_its_bare_name(tmp_path):
    proc, lines, stderr_path = _start(tmp_path, "--mode", "paused", "--scenario", "test-ground")
    try:
        first = lines.get(timeout=TIMEOUT)
        assert first.startswith("READY "), f"{first!r}; stderr:\n{stderr_path.read_text()}"
        info = json.loads(first[len("READY "):])
        assert info["scenario"] == "fv_embodied_agent/test-ground"
        with RCONClient("127.0.0.1", info["rcon_port"], PASSWORD, timeout=TIMEOUT) as client:
            # Console commands run in the level's state: the scenario's storage is theirs.
            assert client.send_command("/sc rcon.print(storage.fv_scenario.name)") == "test-ground"
    finally:
        _stop(proc)


def test_an_unknown_scenario_fails_at_once_listing_the_scenarios(tmp_path):
    proc, lines, stderr_path = _start(tmp_path, "--scenario", "fv_embodied_agent/no-such")
    try:
        assert proc.wait(TIMEOUT) == 1
        first = lines.get(timeout=TIMEOUT)
        assert first.startswith("FAILED "), first
        failure = json.loads(first[len("FAILED "):])
        assert failure["reason"] == "start_failed" and failure["error"] == "UnknownScenarioError"
        assert "fv_embodied_agent/lab-grid" in failure["message"] and "fv_embodied_agent/test-ground" in failure["message"]
    finally:
        _stop(proc)
