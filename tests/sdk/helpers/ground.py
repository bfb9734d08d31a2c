"""A clean patch of the shared game for one test: grass, nothing on it, ore and water only where a test puts them
(through the mod's own test_ground interface, over RCON)."""

from __future__ import annotations

from typing import Any

from factoryverse.sdk import FactoryVerseClient


def area(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {"left_top": {"x": x0, "y": y0}, "right_bottom": {"x": x1, "y": y1}}


async def clear_ground(client: FactoryVerseClient, x0: int, y0: int, x1: int, y1: int) -> None:
    """Grass over the box with nothing on it (not even ore or trees), in calls of at most 4096 tiles."""
    for y in range(y0, y1, 32):
        for x in range(x0, x1, 64):
            box = area(x, y, min(x + 64, x1), min(y + 32, y1))
            await client.call("test_ground", "clear_area", box)
            await client.call("test_ground", "set_tiles", "grass-1", box)


async def lua_json(client: FactoryVerseClient, code: str) -> Any:
    import json

    return json.loads(await client.rcon.lua(code))
