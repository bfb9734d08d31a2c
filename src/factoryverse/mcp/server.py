"""The `factoryverse-mcp` server: FactoryVerse instances as MCP tools for Claude Desktop and other MCP clients."""

from __future__ import annotations

from importlib import resources
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from factoryverse.servers import operations

__all__ = ["create_server", "main"]

_INSTRUCTIONS = (
    "Tools for FactoryVerse game servers (the embedded Factorio-compatible engine or real Factorio). "
    "Call list_servers first to get a server_id. query_map runs read-only DuckDB SQL (spatial extension loaded) "
    "over the server's map: map_entity (entity_key, entity_name, position.x/.y, bbox, direction, ...), its component "
    "tables (entity_status, inserter, transport_belt, electric_pole, mining_drill, assemblers, furnace, container, "
    "entity_inventory, burner, fluid_box), ghost, technology, research, resource_tile, resource_patch, water_tile, "
    "water_patch, belt_line, power_network, resource_entity, chunk; `fv data schema` lists every column. "
    "run_lua executes Lua as the server admin and can change the game. "
    "The resource factoryverse://sdk/reference is the Python SDK's API, one line per method, for writing agent code."
)
_SDK_REFERENCE_URI = "factoryverse://sdk/reference"


def _tool_error(exc: operations.BackendError) -> ToolError:
    # A ToolError's text reaches the model as is; anything else would be reduced to "Error executing tool".
    if isinstance(exc, operations.MapBusyError):
        return ToolError(f"retryable: {exc}")
    return ToolError(str(exc))


def list_servers() -> list[dict[str, Any]]:
    """List the FactoryVerse servers started with `fv server start`: id, RCON and snapshot UDP ports, seed,
    mode, and whether the process is alive. Use an id as server_id in the other tools."""
    return operations.instances()


def run_lua(server_id: int, code: str) -> str:
    """ADMIN TOOL: run Lua on the server with /sc and return what it printed. Output comes only from
    rcon.print(...), e.g. `rcon.print(game.tick)`. The code runs with full rights over the game (it can build,
    destroy and teleport anything), so use it for inspection and setup, not as the agents' way to play."""
    try:
        return operations.run_lua(server_id, code)
    except operations.BackendError as exc:
        raise _tool_error(exc) from exc


def query_map(
    server_id: int,
    sql: str,
    max_rows: Annotated[int, Field(ge=1, le=operations.MAX_ROWS,
                                   description=f"most rows to return, 1..{operations.MAX_ROWS}")]
    = operations.DEFAULT_MAX_ROWS,
    timeout_s: Annotated[float, Field(gt=0, le=operations.MAX_TIMEOUT_S,
                                      description="seconds before the query is interrupted")]
    = operations.DEFAULT_TIMEOUT_S,
) -> dict[str, Any]:
    """Run one read-only SQL query (SELECT or WITH) over the server's map database, first brought up to date
    from the game's snapshot files. DuckDB with the spatial extension: e.g.
    `SELECT resource_name, tile_count, total_amount, ST_AsText(centroid) FROM resource_patch`.
    Returns {columns, rows, row_count, truncated}; rows past max_rows (at most 10000) or past 4 MB of JSON are
    dropped and truncated is true: narrow the query or page with ORDER BY ... LIMIT/OFFSET. A query running
    longer than timeout_s is interrupted. An error starting with "retryable:" may succeed a few seconds later."""
    try:
        return operations.sql(server_id, sql, max_rows=max_rows, timeout_s=timeout_s).as_dict()
    except operations.BackendError as exc:
        raise _tool_error(exc) from exc


def server_version(server_id: int) -> dict[str, Any]:
    """version() of every remote interface the server's mods register ({interface, schema_version,
    mod_version} each), by interface name. Use it to check that the server runs the mods this client expects."""
    try:
        return operations.remote_versions(server_id)
    except operations.BackendError as exc:
        raise _tool_error(exc) from exc


def sdk_reference() -> str:
    """The Python SDK's compact API reference (generated from the SDK's code by tools/gen_sdk_docs.py): one line
    per class, method and error, to write agent programs from."""
    # Read as package data, not through factoryverse.sdk: the front end needs the text, not the SDK loaded.
    return resources.files("factoryverse").joinpath("sdk", "reference.txt").read_text(encoding="utf-8")


def create_server() -> MCPServer:
    """The MCP server with FactoryVerse's tools registered; `main()` runs it over stdio."""
    server = MCPServer(name="factoryverse", instructions=_INSTRUCTIONS, version=_package_version())
    read_only = ToolAnnotations(read_only_hint=True, open_world_hint=False)
    server.add_tool(list_servers, annotations=read_only)
    server.add_tool(query_map, annotations=read_only)
    server.add_tool(server_version, annotations=read_only)
    server.add_tool(run_lua, annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True,
                                                        open_world_hint=False))
    server.resource(_SDK_REFERENCE_URI, name="sdk_reference", title="FactoryVerse SDK reference",
                    mime_type="text/plain")(sdk_reference)
    return server


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("factoryverse")
    except PackageNotFoundError:
        return "0+unknown"


def main() -> None:
    """Entry point of `factoryverse-mcp`: serve the tools over stdio until the client closes stdin."""
    create_server().run("stdio")
