"""The Lua host: sandboxed Lua 5.2 states, API proxies (glue.lua), Factorio's globals and `require`."""

__all__: list[str] = []
