"""The embedded backend's scenarios (contract A: the engine's `--scenario [MOD/]NAME`); the rest of its behaviour is
tests/servers/test_instances.py's and tests/cli's."""

from __future__ import annotations

import pytest

from factoryverse.servers import operations
from factoryverse.servers.instances import EngineStartError, list_instances, start_instance


def test_a_scenario_runs_as_the_new_games_level_script(fv_home):
    inst = start_instance(mode="paused", scenario="test-ground")
    # A bare name is found in the mod that ships it, and the record says which.
    assert inst.scenario == "fv_embodied_agent/test-ground" and list_instances()[0].scenario == inst.scenario
    # test-ground lays lab floor round the spawn: ground no new map has.
    assert operations.run_lua(inst.id, "rcon.print(game.surfaces[1].get_tile(5, 5).name)").startswith("lab-")


def test_an_unknown_scenario_fails_the_start_naming_what_exists(fv_home):
    with pytest.raises(EngineStartError, match="test-ground"):
        start_instance(mode="paused", scenario="no-such-scenario")
    assert list_instances() == []
