"""The `factoryverse-mcp` server: list servers, run admin Lua, query the spatial map, read mod versions."""

from factoryverse.mcp.server import create_server, main

__all__ = ["create_server", "main"]
