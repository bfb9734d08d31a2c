"""factoryverse-mcp as Claude Desktop runs it: a subprocess spoken to over stdio by a real MCP client."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.server.mcpserver.exceptions import ToolError

import factoryverse.mcp
from factoryverse.mcp import server as mcp_server
from factoryverse.servers import _map_db, operations
from tests.servers._db_holder import database_held_by_another_process
from tests.servers._instance import place_chest

_TIMEOUT_S = 60.0

REPO = Path(__file__).resolve().parents[2]


def test_public_api_is_pinned():
    assert factoryverse.mcp.__all__ == ["create_server", "main"]
    assert mcp_server.__all__ == ["create_server", "main"]


async def _session(calls: list[tuple[str, dict[str, Any]]]) -> tuple[list, list]:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "factoryverse.mcp"],
        env={"FACTORYVERSE_HOME": os.environ["FACTORYVERSE_HOME"]},
    )
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write, read_timeout_seconds=_TIMEOUT_S) as session:
            await session.initialize()
            tools = (await session.list_tools()).tools
            results = [await session.call_tool(name, args) for name, args in calls]
    return tools, results


def _run(calls: list[tuple[str, dict[str, Any]]]) -> tuple[list, list]:
    return asyncio.run(asyncio.wait_for(_session(calls), _TIMEOUT_S))


def _text(result) -> str:
    return "".join(block.text for block in result.content if block.type == "text")


def test_tools_over_stdio(instance):
    unit = place_chest(instance, 3.5, -4.5)
    tools, (servers, tick, count, chest, versions) = _run([
        ("list_servers", {}),
        ("run_lua", {"server_id": instance.id, "code": "rcon.print(game.tick)"}),
        ("query_map", {"server_id": instance.id, "sql": "SELECT count(*) AS n FROM resource_tile"}),
        ("query_map", {"server_id": instance.id,
                       "sql": f"SELECT entity_name, position FROM map_entity WHERE entity_key = {unit}"}),
        ("server_version", {"server_id": instance.id}),
    ])
    by_name = {t.name: t for t in tools}
    assert set(by_name) == {"list_servers", "run_lua", "query_map", "server_version"}
    assert "ADMIN" in by_name["run_lua"].description
    assert by_name["query_map"].annotations.read_only_hint is True
    assert by_name["run_lua"].annotations.destructive_hint is True

    assert not servers.is_error
    listed = servers.structured_content["result"]
    assert [(s["id"], s["rcon_port"], s["alive"]) for s in listed] == [(instance.id, instance.rcon_port, True)]
    assert instance.rcon_password not in _text(servers)

    assert not tick.is_error and int(_text(tick)) > 0

    assert not count.is_error
    assert count.structured_content["rows"][0]["n"] > 0
    assert chest.structured_content["rows"] == [{"entity_name": "wooden-chest", "position": {"x": 3.5, "y": -4.5}}]

    snapshot_version = json.loads((REPO / "mods" / "fv_snapshot" / "info.json").read_text())["version"]
    assert versions.structured_content["map"] == {"interface": "map", "schema_version": 1, "mod_version": snapshot_version}


def test_errors_reach_the_model_as_tool_errors(instance):
    _, (unknown, lua_error, write, empty) = _run([
        ("run_lua", {"server_id": instance.id + 1000, "code": "rcon.print(1)"}),
        ("run_lua", {"server_id": instance.id, "code": "error('fv-test-boom')"}),
        ("query_map", {"server_id": instance.id, "sql": "DELETE FROM resource_tile"}),
        ("query_map", {"server_id": instance.id, "sql": "SELECT count(*) AS n FROM resource_tile"}),
    ])
    assert unknown.is_error and "fv server status" in _text(unknown)
    assert lua_error.is_error and "fv-test-boom" in _text(lua_error)
    assert write.is_error and "read-only" in _text(write)
    assert not empty.is_error and empty.structured_content["rows"][0]["n"] > 0
    for result in (unknown, lua_error, write, empty):
        assert instance.rcon_password not in json.dumps(result.model_dump(mode="json"))


def test_query_map_bounds_rows_and_time(instance):
    """Regression: query_map with max_rows=100000000 made the server take 24 GB until the kernel killed it."""
    tools, (huge, capped, slow, after) = _run([
        ("query_map", {"server_id": instance.id, "sql": "SELECT range AS n FROM range(1000000000)",
                       "max_rows": 100_000_000}),
        ("query_map", {"server_id": instance.id, "sql": "SELECT range AS n FROM range(1000000000)",
                       "max_rows": operations.MAX_ROWS}),
        ("query_map", {"server_id": instance.id, "sql": "SELECT count(*) FROM range(100000000) a, range(100000) b",
                       "timeout_s": 0.5}),
        ("list_servers", {}),
    ])
    assert huge.is_error and str(operations.MAX_ROWS) in _text(huge)
    assert not capped.is_error
    assert capped.structured_content["row_count"] == operations.MAX_ROWS
    assert capped.structured_content["truncated"] is True
    assert slow.is_error and "interrupted" in _text(slow)
    assert not after.is_error  # the server is still there and answering
    schema = {t.name: t for t in tools}["query_map"].input_schema["properties"]
    assert schema["max_rows"]["maximum"] == operations.MAX_ROWS
    assert schema["timeout_s"]["maximum"] == operations.MAX_TIMEOUT_S
    assert f"at most {operations.MAX_ROWS}" in {t.name: t for t in tools}["query_map"].description


def test_a_busy_map_is_reported_as_retryable(instance, monkeypatch):
    """A database locked by another process is the server's condition: the model is told to retry."""
    operations.sync_map(instance.id)
    monkeypatch.setattr(_map_db, "_DB_LOCK_WAIT_S", 0.3)
    server = mcp_server.create_server()
    with database_held_by_another_process(instance.db_path):
        with pytest.raises(ToolError, match=r"retryable: .*Retry in \d+ s"):
            asyncio.run(server.call_tool("query_map", {"server_id": instance.id, "sql": "SELECT 1"}))
