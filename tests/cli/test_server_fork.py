"""`fv server fork` (issue 7, point 9): a running game continued by new servers with their own run id, folder and
ports, the parent untouched; refused after a failed command. Real engine processes over RCON, games paused."""

from __future__ import annotations

import asyncio
import json

import pytest
from typer.testing import CliRunner

from factoryverse.cli import app
from factoryverse.sdk import FactoryVerseClient, ForkRefusedError
from factoryverse.servers import ForkError, fork_instance
from factoryverse.servers import operations
from factoryverse.servers.instances import configure_instance, list_instances, start_instance
from tests.servers._instance import place_chest

runner = CliRunner()


def _game_sections(iid: int) -> dict[str, str]:
    """The state hash's sections but mods' storage: a fork's fv_snapshot has its own run id, as it should."""
    lines = operations.rcon(iid, "/fv-state-hash sections").splitlines()
    sections = dict(line.split("=", 1) for line in lines[1:])
    sections.pop("storage")
    return {"tick": lines[0].split()[0], **sections}


def test_a_fork_continues_the_game_in_new_instances_and_the_parent_runs_on(fv_home):
    parent = start_instance(mode="paused")
    configure_instance(parent)
    unit = place_chest(parent, 4.5, 4.5)
    operations.run_lua(parent.id, "storage.note = 'before the fork'")

    result = runner.invoke(app, ["server", "fork", str(parent.id), "--num", "2"])
    assert result.exit_code == 0, result.output
    children = [i for i in list_instances() if i.id != parent.id]
    assert len(children) == 2
    for child in children:
        assert child.run_id != parent.run_id and child.folder != parent.folder
        assert child.rcon_port != parent.rcon_port and child.snapshot_udp_port != parent.snapshot_udp_port
        # The paused parent is at the fork's tick: world, forces, RNG and path requests hash alike.
        assert _game_sections(child.id) == _game_sections(parent.id)
        assert operations.run_lua(child.id, "rcon.print(storage.note)") == "before the fork"
        assert operations.run_lua(child.id, f"rcon.print(game.get_entity_by_unit_number({unit}).name)") == "wooden-chest"
    # What a child does stays its own.
    operations.run_lua(children[0].id, "storage.note = 'child'")
    assert operations.run_lua(parent.id, "rcon.print(storage.note)") == "before the fork"
    assert operations.run_lua(children[1].id, "rcon.print(storage.note)") == "before the fork"


def test_a_fork_after_a_failed_command_starts_nothing(fv_home):
    parent = start_instance(mode="paused")
    configure_instance(parent)
    reply = operations.rcon(parent.id, "/sc error('half done')")
    assert "half done" in reply
    with pytest.raises(ForkError, match="half done"):
        fork_instance(parent)
    result = runner.invoke(app, ["server", "fork", str(parent.id)])
    assert result.exit_code == 1 and "last command failed" in result.output
    assert [i.id for i in list_instances()] == [parent.id]

    async def through_the_sdk() -> str:
        async with FactoryVerseClient(parent.rcon_host, parent.rcon_port, parent.rcon_password) as client:
            with pytest.raises(ForkRefusedError, match="half done"):
                await client.fork_save()
            return await client.fork_save(force=True, name="forced")

    path = asyncio.run(through_the_sdk())
    assert path.endswith("forced.fvsave")
    children = fork_instance(parent, force=True)
    assert json.loads(operations.run_lua(children[0].id, "rcon.print(helpers.table_to_json({t = game.tick}))"))["t"] == int(
        operations.run_lua(parent.id, "rcon.print(game.tick)"))
