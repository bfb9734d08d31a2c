"""What an inserter's hand does, apart from when: how long a swing takes, how much it carries, where it reaches, and
picking items off and putting them on the ground.

Swing time: the hand turns from the pickup vector to the drop vector at `rotation_speed` (turns per tick) while its
arm changes length at `extension_speed` (tiles per tick); both happen at once, so a half swing takes the larger of
the two, in whole ticks (an inserter acts on tick boundaries). Chest to chest this gives the throughput the Factorio
wiki publishes (tests/engine/mechanics/test_inserter_rates.py cites it).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from factoryverse.engine.world.geometry import BBox, rotate_vector
from factoryverse.engine.world.inventory import Stack

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = [
    "hand_vectors", "half_swing_ticks", "hand_size", "find_target", "ground_item_at", "take_from_ground",
    "drop_on_ground", "FUEL_LIMIT", "INGREDIENT_CRAFTS",
]

# The game's insertion limits for inserters (wiki "Inserters", Insertion limits): no more fuel once a fuel slot holds
# 5 items, no more of an ingredient once a crafting machine holds twice what its recipe needs.
FUEL_LIMIT = 5
INGREDIENT_CRAFTS = 2

# A division landing on a whole number of ticks must not round up to the next one (0.5 / 0.02 is 25 ticks).
_TICK_EPS = 1e-9
# No entity is larger than 10 tiles across (surface.py's _MAX_HALF_EXTENT), so none further than this covers a spot.
_REACH = 6.0
# An item on the ground within this distance of the hand's position is under it (the drill's drop rule).
_GROUND_REACH = 0.3


def hand_vectors(entity: Entity) -> tuple[tuple[float, float], tuple[float, float]]:
    """(pickup, drop) offsets from the inserter, the prototype's `pickup_position` and `insert_position` turned to
    the entity's direction (north keeps them as written: picks up north, drops south)."""
    proto = entity.proto
    p = proto.get("pickup_position") or (0.0, -1.0)
    d = proto.get("insert_position") or (0.0, 1.2)
    return (
        rotate_vector((float(p[0]), float(p[1])), entity.direction),
        rotate_vector((float(d[0]), float(d[1])), entity.direction),
    )


def _orientation(v: tuple[float, float]) -> float:
    """Turns clockwise from north, in [0, 1) (Factorio's RealOrientation)."""
    return (math.atan2(v[0], -v[1]) / (2 * math.pi)) % 1.0


def half_swing_ticks(proto: dict[str, Any], pickup: tuple[float, float], drop: tuple[float, float]) -> int:
    """Ticks of a swing from pickup to drop (or back) at full speed, from `rotation_speed` and `extension_speed`."""
    turn = abs(_orientation(pickup) - _orientation(drop))
    turn = min(turn, 1.0 - turn)  # the shorter way round
    reach = abs(math.hypot(*pickup) - math.hypot(*drop))
    rotation = math.ceil(turn / float(proto["rotation_speed"]) - _TICK_EPS)
    extension = math.ceil(reach / float(proto["extension_speed"]) - _TICK_EPS)
    return max(1, rotation, extension)


def hand_size(entity: Entity) -> int:
    """Items per swing: 1 + the force's bonus (`bulk_inserter_capacity_bonus` for `bulk` inserters,
    `inserter_stack_size_bonus` for the others, unless `uses_inserter_stack_size_bonus` is false) + the prototype's
    `stack_size_bonus`; a positive `inserter_stack_size_override` caps it."""
    bonus, which = _hand_of(entity.proto)
    if which is not None:
        bonus += int(entity.force.modifier(which))
    size = 1 + bonus
    override = entity.state.override
    return min(size, override) if override > 0 else size


# Prototype id -> (the prototype, its stack_size_bonus, the force bonus it uses or None): read on every pickup. The
# prototype is kept beside its entry so that its id can't be reused by another.
_HANDS: dict[int, tuple[dict[str, Any], int, str | None]] = {}


def _hand_of(proto: dict[str, Any]) -> tuple[int, str | None]:
    found = _HANDS.get(id(proto))
    if found is None or found[0] is not proto:
        which = None
        if proto.get("uses_inserter_stack_size_bonus", True):
            which = "bulk_inserter_capacity_bonus" if proto.get("bulk") else "inserter_stack_size_bonus"
        found = _HANDS[id(proto)] = (proto, int(proto.get("stack_size_bonus", 0) or 0), which)
    return found[1], found[2]


def find_target(inserter: Entity, x: float, y: float, pickup: bool) -> Entity | None:
    """The entity whose tiles hold (x, y) that the hand works with there: one taking drops (a chest, a machine, a
    belt), or for pickup one with an output inventory. None means the ground."""
    for e in inserter.surface.entities_near(BBox(x - 0.01, y - 0.01, x + 0.01, y + 0.01)):
        if abs(e.x - x) > _REACH or abs(e.y - y) > _REACH or e is inserter or not e.valid:
            continue
        kind = e.kind
        if not (kind.takes_drops or (pickup and kind.output_inventory_name)):
            continue
        if e.footprint().contains(x, y):
            return e
    return None


def ground_item_at(surface: Any, x: float, y: float) -> Entity | None:
    """An item lying on the ground under (x, y), the oldest first."""
    r = _GROUND_REACH
    for e in surface.entities_near(BBox(x - r, y - r, x + r, y + r)):
        if e.valid and e.stack is not None and abs(e.x - x) < r and abs(e.y - y) < r:
            return e
    return None


def take_from_ground(world: World, item: Entity, limit: int) -> tuple[str, int]:
    """Take up to `limit` from an item on the ground; an emptied one is removed (which wakes what waits there)."""
    stack = item.stack
    name, n = stack.name, min(limit, stack.count)
    stack.count -= n
    if stack.count <= 0:
        world.destroy_entity(item)
    return name, n


def drop_on_ground(world: World, inserter: Entity, name: str, x: float, y: float) -> bool:
    """Put one item on the ground at (x, y) if nothing lies there (an inserter waits for a clear spot)."""
    surface = inserter.surface
    if ground_item_at(surface, x, y) is not None:
        return False
    item = world.create_entity(surface, "item-on-ground", x, y)
    item.stack = Stack(name, 1)  # type: ignore[union-attr]
    return True
