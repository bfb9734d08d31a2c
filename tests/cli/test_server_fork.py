"""`fv server fork` (issue 7, point 9): a running game continued by copy-on-write forks of its server process, each
a server with its own run id, folder, ports and password, the parent untouched; refused after a failed command.
Real engine processes over RCON, games paused."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

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
        assert child.pid != parent.pid and child.rcon_password != parent.rcon_password and child.alive()
        # A paused game forks paused: the copy runs only the ticks it is asked to.
        assert operations.run_lua(child.id, "rcon.print(tostring(game.tick_paused))") == "true"
        # The paused parent is at the fork's tick: world, forces, RNG and path requests hash alike.
        assert _game_sections(child.id) == _game_sections(parent.id)
        assert operations.run_lua(child.id, "rcon.print(storage.note)") == "before the fork"
        assert operations.run_lua(child.id, f"rcon.print(game.get_entity_by_unit_number({unit}).name)") == "wooden-chest"
    # What a child does stays its own; the parent still serves its old connections' successors.
    operations.run_lua(children[0].id, "storage.note = 'child'")
    operations.run_lua(children[0].id, "game.surfaces[1].create_entity{name = 'iron-chest', position = {8.5, 8.5}}")
    assert operations.run_lua(parent.id, "rcon.print(storage.note)") == "before the fork"
    assert operations.run_lua(children[1].id, "rcon.print(storage.note)") == "before the fork"
    count = "rcon.print(game.surfaces[1].count_entities_filtered{name = 'iron-chest'})"
    assert [operations.run_lua(i, count) for i in (parent.id, children[0].id, children[1].id)] == ["0", "1", "0"]
    # Each copy writes its own files and log; stopping one leaves the others running.
    assert (Path(children[0].folder) / "script-output").is_dir()
    stop = runner.invoke(app, ["server", "stop", str(children[0].id)])
    assert stop.exit_code == 0 and not children[0].alive()
    assert parent.alive() and children[1].alive()
    assert operations.run_lua(parent.id, "rcon.print(storage.note)") == "before the fork"


def test_a_fork_after_a_failed_command_starts_nothing(fv_home):
    parent = start_instance(mode="paused")
    configure_instance(parent)

    async def through_the_sdk() -> str:
        async with FactoryVerseClient(parent.rcon_host, parent.rcon_port, parent.rcon_password) as client:
            assert "half done" in await client.rcon.command("/sc error('half done')")
            with pytest.raises(ForkRefusedError, match="half done"):
                await client.fork_save()
            return await client.fork_save(force=True, name="forced")

    path = asyncio.run(through_the_sdk())
    assert path.endswith("forced.fvsave")
    reply = operations.rcon(parent.id, "/sc error('half done again')")
    assert "half done again" in reply
    with pytest.raises(ForkError, match="half done again"):
        fork_instance(parent)
    result = runner.invoke(app, ["server", "fork", str(parent.id)])
    assert result.exit_code == 1 and "last command failed" in result.output
    assert [i.id for i in list_instances()] == [parent.id]
    children = fork_instance(parent, force=True)
    assert json.loads(operations.run_lua(children[0].id, "rcon.print(helpers.table_to_json({t = game.tick}))"))["t"] == int(
        operations.run_lua(parent.id, "rcon.print(game.tick)"))


def test_a_forked_fast_game_runs_on_its_own(fv_home):
    parent = start_instance(mode="paused")
    configure_instance(parent)
    (child,) = fork_instance(parent, mode="fast")
    tick = int(operations.run_lua(child.id, "rcon.print(game.tick)"))
    operations.run_lua(child.id, "game.tick_paused = false")
    deadline = 200
    while int(operations.run_lua(child.id, "rcon.print(game.tick)")) < tick + 100 and deadline:
        deadline -= 1
        operations.run_lua(child.id, "rcon.print(1)")
    assert int(operations.run_lua(child.id, "rcon.print(game.tick)")) >= tick + 100
    assert int(operations.run_lua(parent.id, "rcon.print(game.tick)")) == tick
