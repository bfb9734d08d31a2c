"""`fv server status --json` shows each running game's state hash, fetched over RCON; null when it can't be had."""

from __future__ import annotations

import json
import socket
from dataclasses import asdict
from pathlib import Path

from factorio_rcon import RCONClient
from typer.testing import CliRunner

from factoryverse.cli import app
from factoryverse.servers.instances import list_instances

runner = CliRunner()


def _status() -> list[dict]:
    result = runner.invoke(app, ["server", "status", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # free once closed: nothing listens there


def test_status_json_has_the_state_hash_of_a_running_game(fv_home):
    result = runner.invoke(app, ["server", "start", "--detach", "--mode", "paused"])
    assert result.exit_code == 0, result.output
    [inst] = _status()
    client = RCONClient("127.0.0.1", inst["rcon_port"], inst["rcon_password"])
    try:
        direct = client.send_command("/fv-state-hash")
    finally:
        client.close()
    # Paused (and nothing else talks to it), so the game is the same for both reads.
    assert direct == f"tick={inst['state_hash']['tick']} hash={inst['state_hash']['hash']}"
    assert inst["state_hash"]["tick"] == 0


def test_status_json_shows_null_when_the_game_does_not_answer(fv_home):
    result = runner.invoke(app, ["server", "start", "--detach", "--mode", "paused"])
    assert result.exit_code == 0, result.output
    [inst] = list_instances()
    # The engine runs, but the record points RCON elsewhere: status must answer at once, with no hash.
    record = Path(inst.folder) / "instance.json"
    data = asdict(inst) | {"rcon_port": _closed_port()}
    record.write_text(json.dumps(data))
    [listed] = _status()
    assert listed["alive"] is True and listed["state_hash"] is None
    record.write_text(json.dumps(asdict(inst)))  # so the fixture's stop finds the engine's real port
