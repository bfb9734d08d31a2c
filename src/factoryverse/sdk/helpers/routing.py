"""connect(a, b, with_=...) and connection_cost(a, b, ...): belts, pipes and poles routed around obstacles.

The route is an A* search on the tile grid in Python (helpers/_grid.py); whether a tile is free is asked of the
game through fv_placement_hints' validate_positions, one block of tiles a call. Where a route starts and ends is
the game's answer too: a drill's or inserter's drop position and an inserter's pickup position
(get_entity_output_info), an entity's fluid connection points (get_fluid_connection_points), its footprint
(get_entity_footprint), and a pole's wire reach (prototype get_max_wire_distance).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

from factoryverse.sdk._game_facts import entity_prototype, item_place_result
from factoryverse.sdk.entities.base import BaseEntity
from factoryverse.sdk.errors import InvalidArgumentError, NoPathError, NotInInventoryError, PlacementBlockedError
from factoryverse.sdk.helpers._grid import TileMap, Window, find_path
from factoryverse.sdk.helpers._hints import (
    Footprint,
    Tile,
    blocked_tiles,
    fluid_points,
    footprint,
    output_info,
    tile_center,
    tile_of,
)
from factoryverse.sdk.helpers._reach import Reacher
from factoryverse.sdk.types import Direction, PlacedEntity, Position

if TYPE_CHECKING:
    from factoryverse.sdk.agent import Agent

__all__ = ["Endpoint", "Placement", "ConnectionPlan", "plan_connection", "connection_cost", "connect"]

Endpoint = Union[BaseEntity, Position, tuple[float, float], list[float], dict[str, float]]

# Margins (tiles) around the two ends the search may use; a wider one is tried when a narrower has no route.
_MARGINS = (8, 24, 64)
_KINDS = {"transport-belt": "belt", "pipe": "pipe", "electric-pole": "pole"}
_STEP_DIRECTION = {(1, 0): Direction.EAST, (-1, 0): Direction.WEST, (0, 1): Direction.SOUTH, (0, -1): Direction.NORTH}


@dataclass(frozen=True)
class Placement:
    """One entity the connection places.

    Example: [p.position for p in plan.placements]
    """

    name: str
    position: Position
    direction: Direction = Direction.NORTH


@dataclass(frozen=True)
class ConnectionPlan:
    """What connect(a, b, with_) would place: the item, the tiles of the route and the placements on it.

    Example: plan = await plan_connection(agent, pump, boiler, "pipe"); plan.cost  # {"pipe": 9}
    """

    item: str
    path: tuple[Tile, ...]
    placements: tuple[Placement, ...]
    # How many validate_positions calls (one per 16 x 16 block of tiles searched) the plan took.
    validations: int = 0

    @property
    def cost(self) -> dict[str, int]:
        """{item: count} the connection takes from the inventory."""
        return {self.item: len(self.placements)}


@dataclass
class _End:
    position: Position
    name: str | None = None
    direction: Direction = Direction.NORTH
    shape: Footprint | None = None

    def __str__(self) -> str:
        return f"{self.name} at {self.position}" if self.name else f"{self.position}"


async def _end(agent: Agent, value: Any, role: str) -> _End:
    if isinstance(value, BaseEntity):
        if value.is_ghost:
            raise InvalidArgumentError(f"connect: {role} {value!r} is a ghost; build it first (await ghost.build())")
        shape = await footprint(agent, value.name, value.position, int(value.direction))
        return _End(value.position, value.name, value.direction, shape)
    try:
        return _End(Position.of(value))
    except InvalidArgumentError as exc:
        raise InvalidArgumentError(
            f"connect: {role} must be an entity (from reachable_view) or a position like MapPosition(3, 4), not "
            f"{value!r}") from exc


async def _kind(agent: Agent, item: Any) -> tuple[str, str]:
    if not isinstance(item, str) or not item:
        raise InvalidArgumentError(f"connect: with_ must be an item name like 'transport-belt', not {item!r}")
    placed = await item_place_result(agent.rcon, item)
    if placed is None or placed[1] not in _KINDS:
        raise InvalidArgumentError(
            f"connect: {item!r} does not connect things; use a transport belt, a pipe or an electric pole "
            "(e.g. 'transport-belt', 'pipe', 'small-electric-pole')")
    return placed[0], _KINDS[placed[1]]


def _toward(tile: Tile, shape: Footprint | None, fallback: Position) -> Direction:
    """The direction from `tile` into the footprint beside it (or toward `fallback`)."""
    if shape is not None:
        for step, direction in _STEP_DIRECTION.items():
            if (tile[0] + step[0], tile[1] + step[1]) in shape.tiles:
                return direction
    dx, dy = fallback.x - (tile[0] + 0.5), fallback.y - (tile[1] + 0.5)
    if abs(dx) >= abs(dy):
        return Direction.EAST if dx >= 0 else Direction.WEST
    return Direction.SOUTH if dy >= 0 else Direction.NORTH


async def _belt_ends(agent: Agent, src: _End, dst: _End) -> tuple[list[Tile], list[Tile], dict[Tile, str]]:
    if src.shape is None:
        starts = [tile_of(src.position)]
    elif src.shape.type in ("mining-drill", "inserter"):
        drop = (await output_info(agent, str(src.name), src.position)).get("drop_position")
        starts = [tile_of(drop)] if drop else src.shape.neighbours()
    else:
        starts = src.shape.neighbours()
    if dst.shape is None:
        goals = [tile_of(dst.position)]
    elif dst.shape.type == "inserter":
        goals = [tile_of((await output_info(agent, str(dst.name), dst.position))["pickup_position"])]
    else:
        goals = dst.shape.neighbours()
    return starts, goals, {}


def _connectable(point: dict[str, Any], flows: tuple[str, ...]) -> bool:
    return point.get("target_position") is not None and point.get("flow_direction") in flows


async def _pipe_ends(agent: Agent, src: _End, dst: _End) -> tuple[list[Tile], list[Tile], dict[Tile, str]]:
    reserved: dict[Tile, str] = {}

    async def side(end: _End, flows: tuple[str, ...]) -> list[Tile]:
        if end.shape is None:
            return [tile_of(end.position)]
        points = await fluid_points(agent, str(end.name), end.position, int(end.direction))
        chosen = [tile_of(p["target_position"]) for p in points if _connectable(p, flows)]
        for p in points:
            # A pipe on another connection's tile would join that box too (a boiler's steam output, say).
            if p.get("target_position") is not None and tile_of(p["target_position"]) not in chosen:
                reserved[tile_of(p["target_position"])] = f"{end.name}'s {p.get('production_type')} connection"
        if not chosen:
            raise InvalidArgumentError(f"connect: {end} has no pipe connection that can "
                                       f"{'give' if 'output' in flows else 'take'} fluid")
        return chosen

    starts = await side(src, ("output", "input-output"))
    goals = await side(dst, ("input", "input-output"))
    return starts, goals, reserved


async def _route(agent: Agent, entity: str, starts: list[Tile], goals: list[Tile], reserved: dict[Tile, str],
                 src: _End, dst: _End, item: str, *, diagonal: bool = False) -> tuple[list[Tile], int]:
    grid = TileMap(probe=lambda tiles: blocked_tiles(agent, entity, tiles), reserved=reserved)
    window = Window.around([*starts, *goals], _MARGINS[0])
    for margin in _MARGINS:
        window = Window.around([*starts, *goals], margin)
        path = await find_path(grid, starts, goals, window, diagonal=diagonal)
        if path is not None:
            return path, grid.probes
        if grid.sealed:
            break
    raise NoPathError(_no_path_message(grid, starts, goals, window, src, dst, item), code="no_path",
                      interface=agent.interface_name, method="connect")


def _no_path_message(grid: TileMap, starts: list[Tile], goals: list[Tile], window: Window, src: _End, dst: _End,
                     item: str) -> str:
    def ends_blocked(tiles: list[Tile]) -> str:
        names = sorted({name for t in tiles for name in grid.why(t)})
        return ", ".join(names)

    if grid.sealed:
        end = dst if grid.pocket & set(goals) else src
        where = f"{end} is closed in by {', '.join(grid.pocket_walls()) or 'obstacles'}"
    elif all(grid.why(t) for t in starts):
        where = f"every tile it could start on next to {src} is taken (by {ends_blocked(starts)})"
    elif all(grid.why(t) for t in goals):
        where = f"every tile it could end on next to {dst} is taken (by {ends_blocked(goals)})"
    else:
        seen = Counter(name for tile, names in grid.blocked.items() if window.contains(tile) for name in names)
        seen.update(name for tile, name in grid.reserved.items() if window.contains(tile))
        top = ", ".join(f"{count} tiles of {name}" for name, count in seen.most_common(5)) or "nothing"
        where = f"the area {window} is cut off by {top}"
    return (f"connect: no {item} route from {src} to {dst}: {where}. Clear the way (pick up what blocks it) or "
            "connect other points")


def _belt_placements(entity: str, path: list[Tile], dst: _End) -> list[Placement]:
    out = []
    for i, tile in enumerate(path):
        if i + 1 < len(path):
            nxt = path[i + 1]
            facing = _STEP_DIRECTION[(nxt[0] - tile[0], nxt[1] - tile[1])]
        elif dst.shape is not None and dst.shape.type != "inserter" or len(path) == 1:
            facing = _toward(tile, dst.shape, dst.position)
        else:
            facing = out[-1].direction
        out.append(Placement(entity, tile_center(tile), facing))
    return out


def _pole_placements(entity: str, path: list[Tile], reach: float, src: _End, dst: _End) -> list[Placement]:
    """Poles along the path, each as far from the last as its wire reaches; none where an end is a pole already."""
    centers = [tile_center(t) for t in path]
    src_pole = src.shape is not None and src.shape.type == "electric-pole"
    dst_pole = dst.shape is not None and dst.shape.type == "electric-pole"
    chosen: list[int] = []
    last: Position | None = src.position if src_pole else None
    index = -1
    if last is None:
        chosen.append(0)
        last, index = centers[0], 0
    while True:
        if dst_pole and last.distance(dst.position) <= reach:
            break
        if not dst_pole and index == len(centers) - 1:
            break
        far = max((j for j in range(index + 1, len(centers)) if centers[j].distance(last) <= reach), default=None)
        if far is None:  # the next tile is beyond reach: impossible on a grid path with reach >= 1.5
            raise InvalidArgumentError(f"connect: a {entity} reaches only {reach:g} tiles")
        chosen.append(far)
        last, index = centers[far], far
    return [Placement(entity, centers[j]) for j in chosen]


async def plan_connection(agent: Agent, a: Endpoint, b: Endpoint, with_: str = "transport-belt") -> ConnectionPlan:
    """Where connect(a, b, with_) would place what, without placing anything.

    Belts run from a drill's or inserter's drop position (else beside `a`) to an inserter's pickup position (else
    beside `b`, the last belt facing into it); pipes join a fluid output of `a` to a fluid input of `b`; poles go
    from beside `a` to beside `b` (or from/to a pole), each within the previous one's wire reach.

    Example: plan = await plan_connection(agent, pump, boiler, "pipe"); print(plan.cost)
    """
    entity, kind = await _kind(agent, with_)
    src, dst = await _end(agent, a, "a"), await _end(agent, b, "b")
    if kind == "pipe":
        starts, goals, reserved = await _pipe_ends(agent, src, dst)
    elif kind == "belt":
        starts, goals, reserved = await _belt_ends(agent, src, dst)
    else:
        starts = src.shape.neighbours() if src.shape is not None else [tile_of(src.position)]
        goals = dst.shape.neighbours() if dst.shape is not None else [tile_of(dst.position)]
        reserved = {}
    path, validations = await _route(agent, entity, starts, goals, reserved, src, dst, with_,
                                     diagonal=kind == "pole")
    if kind == "belt":
        placements = _belt_placements(entity, path, dst)
    elif kind == "pipe":
        placements = [Placement(entity, tile_center(t)) for t in path]
    else:
        reach = (await entity_prototype(agent.rcon, entity)).max_wire_distance
        if not reach or not math.isfinite(reach):
            raise InvalidArgumentError(f"connect: the game gives {entity} no wire reach")
        placements = _pole_placements(entity, path, float(reach), src, dst)
    return ConnectionPlan(item=with_, path=tuple(path), placements=tuple(placements), validations=validations)


async def connection_cost(agent: Agent, a: Endpoint, b: Endpoint, with_: str = "transport-belt") -> dict[str, int]:
    """{item: count} that connect(a, b, with_) would take from the inventory now (nothing is placed).

    Example: await connection_cost(agent, drill, inserter, "transport-belt")  # {"transport-belt": 12}
    """
    return (await plan_connection(agent, a, b, with_)).cost


async def connect(agent: Agent, a: Endpoint, b: Endpoint, with_: str = "transport-belt") -> list[PlacedEntity]:
    """Connect `a` to `b` with belts, pipes or poles from the agent's inventory, routed around obstacles; the
    character walks within build distance of each piece. Returns what was placed, in route order.

    Raises NoPathError (naming what blocks the way) when there is no route, NotInInventoryError before placing
    anything when the inventory lacks the items, PlacementBlockedError if the map changed under the plan.

    Example: belts = await connect(agent, drill, inserter, with_="transport-belt")
    """
    plan = await plan_connection(agent, a, b, with_)
    have = (await agent.inventory.items()).get(plan.item, 0)
    need = len(plan.placements)
    if have < need:
        raise NotInInventoryError(
            f"connect needs {need} {plan.item} for this route and the agent holds {have}: craft or take "
            f"{need - have} more first (connection_cost tells the count before building)",
            code="not_in_inventory", interface=agent.interface_name, method="connect")
    reacher = Reacher(agent)
    placed: list[PlacedEntity] = []
    route = set(plan.path)
    for step in plan.placements:
        await reacher.within_reach(step.position)
        try:
            placed.append(await _place(agent, reacher, step, route))
        except PlacementBlockedError as exc:
            raise PlacementBlockedError(
                f"connect: placed {len(placed)} of {need} {plan.item}; {step.name} at {step.position} is blocked "
                f"now ({exc.detail}). The map changed since the route was planned: call connect again from there",
                code=exc.code, detail=exc.detail, interface=exc.interface, method="connect") from exc
    return placed


async def _place(agent: Agent, reacher: Reacher, step: Placement, route: set[Tile]) -> PlacedEntity:
    try:
        return await agent.place_entity(step.name, step.position, step.direction)
    except PlacementBlockedError as exc:
        if "character" not in exc.detail:
            raise
    # A character stands on the tile (the agent's own, most often): move aside, off the route (built pieces
    # cannot be stood on, the rest are still to be built), and try once more; another agent's character is then
    # still in the way and its error comes back.
    await reacher.step_aside(step.position, route)
    return await agent.place_entity(step.name, step.position, step.direction)
