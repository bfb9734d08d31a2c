"""What the front ends (fv, factoryverse-mcp, fv-ui) do to a recorded instance: list, RCON, read-only SQL.

The front ends share this module so they agree on what is public (never the RCON password), on the error
messages, and on how a map query is guarded and bounded. Instances are the ones `fv server start` records under
the state home (FACTORYVERSE_HOME). The work is done in private modules, one concept each: `_game` (RCON and
Lua), `_map_db` (keeping a server's map database current), `_map_query` (bounded SQL), `_errors`.
"""

from __future__ import annotations

from factoryverse.servers._errors import (BackendError, LuaError, MapBusyError, MapNotReadyError, MapQueryError,
                                          MapQueryTimeoutError, RconError, ServerNotRunningError, UnknownServerError)
from factoryverse.servers._game import get_instance, instances, rcon, remote_versions, run_lua
from factoryverse.servers._map_db import rebuild_map, sync_map
from factoryverse.servers._map_query import (DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_S, MAX_RESULT_BYTES, MAX_ROWS,
                                             MAX_TIMEOUT_S, QueryResult, sql)

__all__ = [
    "BackendError",
    "UnknownServerError",
    "ServerNotRunningError",
    "RconError",
    "LuaError",
    "MapNotReadyError",
    "MapQueryError",
    "MapQueryTimeoutError",
    "MapBusyError",
    "QueryResult",
    "instances",
    "get_instance",
    "rcon",
    "run_lua",
    "remote_versions",
    "sql",
    "sync_map",
    "rebuild_map",
    "DEFAULT_MAX_ROWS",
    "MAX_ROWS",
    "MAX_RESULT_BYTES",
    "DEFAULT_TIMEOUT_S",
    "MAX_TIMEOUT_S",
]
