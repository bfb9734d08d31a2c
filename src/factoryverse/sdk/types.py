"""The SDK's value types: what the mods answer, as pydantic models.

The game's helpers.table_to_json writes an empty Lua table as {}; every field that is an object in the contract
still accepts [] (and turns it into {}), which earlier engine builds wrote.
"""

from __future__ import annotations

import decimal
import enum
import math
import numbers
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from factoryverse.sdk.errors import InvalidArgumentError

__all__ = [
    "Position",
    "MapPosition",
    "PositionLike",
    "BoundingBox",
    "Direction",
    "ItemCounts",
    "InterfaceVersion",
    "AgentInfo",
    "AgentState",
    "PlacedEntity",
    "BurnerState",
    "EntityState",
    "WalkResult",
    "MineResult",
    "PickupResult",
    "Blocker",
    "PlacementCheck",
    "SnapshotStatus",
    "ActionCompleted",
]


def _empty_list_is_object(value: Any) -> Any:
    return {} if isinstance(value, list) and not value else value


def _coordinate(value: Any) -> float:
    # Strict on purpose: pydantic would read "1" or True as a number, but the game takes neither in a position.
    # Decimal is a number too: DuckDB hands a SQL literal such as 1.5 back as one.
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, decimal.Decimal)):
        raise ValueError(f"a coordinate is a number, not {type(value).__name__} {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"a coordinate is a finite number, not {value!r}")
    return float(value)


_Coordinate = Annotated[float, BeforeValidator(_coordinate)]


def _problem(exc: BaseException) -> str:
    """pydantic's complaint about a position in a few words, e.g. "x: a coordinate is a number, not str '1'"."""
    while not isinstance(exc, ValidationError):
        if exc.__cause__ is None:
            return str(exc)
        exc = exc.__cause__
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        if not where:
            parts.append(f"a {type(error['input']).__name__}, neither a pair nor a mapping")
            continue
        what = "missing" if error["type"] == "missing" else error["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {what}")
    return "; ".join(parts)


def _position_from_any(value: Any) -> Any:
    # Factorio accepts both {x=, y=} and {x, y}; so does every Position field here.
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return {"x": value[0], "y": value[1]}
    return value


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Position(_Model):
    """A map position in tiles; y grows southward, as in Factorio.

    >>> MapPosition(10, 5).offset(1, -1)
    MapPosition(11, 4)
    """

    x: _Coordinate
    y: _Coordinate

    def __init__(self, x: Any = None, y: Any = None, /, **data: Any) -> None:
        # The seed writes MapPosition(100, 200): positional x and y, as well as the keywords pydantic takes.
        if x is not None:
            data["x"] = x
        if y is not None:
            data["y"] = y
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise InvalidArgumentError(
                f"MapPosition needs two finite numbers x and y, got {data!r} ({_problem(exc)}); "
                "e.g. MapPosition(10.5, -3)"
            ) from exc

    @classmethod
    def of(cls, value: PositionLike) -> Position:
        """A Position from a Position, an (x, y) pair or an {"x", "y"} mapping.

        >>> Position.of((3, 4)), Position.of({'x': 3, 'y': 4}) == Position(3, 4)
        (MapPosition(3, 4), True)
        """
        if isinstance(value, Position):
            return value
        try:
            return cls.model_validate(_position_from_any(value))
        except (ValidationError, InvalidArgumentError) as exc:
            raise InvalidArgumentError(
                f"{value!r} is not a position ({_problem(exc)}); pass Position(x=..., y=...), an (x, y) pair or "
                "{'x': .., 'y': ..} of numbers"
            ) from exc

    def distance(self, other: PositionLike) -> float:
        """Straight-line distance in tiles to `other`.

        >>> Position(0, 0).distance((3, 4))
        5.0
        """
        o = Position.of(other)
        return math.hypot(self.x - o.x, self.y - o.y)

    def as_tuple(self) -> tuple[float, float]:
        """The position as an (x, y) pair.

        >>> Position(1.5, -2).as_tuple()
        (1.5, -2.0)
        """
        return (self.x, self.y)

    def offset(self, dx: float, dy: float) -> Position:
        """This position moved by `dx` tiles east and `dy` tiles south.

        >>> Position(1, 1).offset(2, -1)
        MapPosition(3, 0)
        """
        return Position(self.x + dx, self.y + dy)

    def __str__(self) -> str:
        return f"({self.x:g}, {self.y:g})"

    def __repr__(self) -> str:
        # Evaluable as written, so an error message's position can be pasted into walking.to(...).
        return f"MapPosition({self.x:g}, {self.y:g})"


# The seed's name for a position; one class, so either name works wherever a position is taken.
MapPosition = Position

PositionLike = Position | tuple[float, float] | list[float] | dict[str, float]
_Pos = Annotated[Position, BeforeValidator(_position_from_any)]


class Direction(enum.IntEnum):
    """defines.direction: Factorio 2.x has 16 directions; buildings use the four cardinal ones.

    >>> Direction.of('east'), Direction.NORTH.turned(2)
    (<Direction.EAST: 4>, <Direction.EAST: 4>)
    """

    NORTH = 0
    NORTHNORTHEAST = 1
    NORTHEAST = 2
    EASTNORTHEAST = 3
    EAST = 4
    EASTSOUTHEAST = 5
    SOUTHEAST = 6
    SOUTHSOUTHEAST = 7
    SOUTH = 8
    SOUTHSOUTHWEST = 9
    SOUTHWEST = 10
    WESTSOUTHWEST = 11
    WEST = 12
    WESTNORTHWEST = 13
    NORTHWEST = 14
    NORTHNORTHWEST = 15


    @classmethod
    def of(cls, value: Any) -> Direction:
        """A Direction from a Direction, 0..15, or a defines.direction name in any case ("north", "EAST").

        >>> Direction.of(8), Direction.of('West')
        (<Direction.SOUTH: 8>, <Direction.WEST: 12>)
        """
        if isinstance(value, Direction):
            return value
        if isinstance(value, str) and value.upper() in cls.__members__:
            return cls[value.upper()]
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 15:
            return cls(value)
        raise InvalidArgumentError(
            f"{value!r} is not a direction; pass Direction.NORTH (EAST, SOUTH, WEST, ...), 0..15 or a name like 'east'"
        )

    @property
    def vector(self) -> tuple[float, float]:
        """The unit step this direction points along (y grows southward).

        >>> Direction.EAST.vector, Direction.NORTH.vector
        ((1.0, 0.0), (0.0, -1.0))
        """
        angle = self.value * math.pi / 8
        return (round(math.sin(angle), 9) + 0.0, round(-math.cos(angle), 9) + 0.0)

    def turned(self, eighths_of_a_turn: int) -> Direction:
        """This direction turned clockwise by 45 degrees per unit (negative: counter-clockwise).

        >>> Direction.EAST.turned(2), Direction.NORTH.turned(-2)
        (<Direction.SOUTH: 8>, <Direction.WEST: 12>)
        """
        return Direction((self.value + 2 * eighths_of_a_turn) % 16)


class BoundingBox(_Model):
    """An axis-aligned box in map coordinates: `left_top` is the north-west corner.

    >>> box = BoundingBox.around((0, 0), 1.5); box.width, box.contains((1, -1))
    (3.0, True)
    """

    left_top: _Pos
    right_bottom: _Pos

    @classmethod
    def around(cls, center: PositionLike, half_width: float, half_height: float | None = None) -> BoundingBox:
        """A box of `half_width` (and `half_height`, default the same) each side of `center`.

        >>> str(BoundingBox.around((2, 2), 1, 0.5))
        '[(1, 1.5) .. (3, 2.5)]'
        """
        c = Position.of(center)
        h = half_width if half_height is None else half_height
        return cls(left_top=Position(c.x - half_width, c.y - h), right_bottom=Position(c.x + half_width, c.y + h))

    @property
    def width(self) -> float:
        """East-west extent in tiles.

        >>> BoundingBox.around((0, 0), 2, 1).width
        4.0
        """
        return self.right_bottom.x - self.left_top.x

    @property
    def height(self) -> float:
        """North-south extent in tiles.

        >>> BoundingBox.around((0, 0), 2, 1).height
        2.0
        """
        return self.right_bottom.y - self.left_top.y

    @property
    def center(self) -> Position:
        """The box's middle.

        >>> BoundingBox.around((4, 6), 1).center
        MapPosition(4, 6)
        """
        return Position((self.left_top.x + self.right_bottom.x) / 2, (self.left_top.y + self.right_bottom.y) / 2)

    def contains(self, position: PositionLike) -> bool:
        """Whether `position` lies inside the box or on its edge.

        >>> BoundingBox.around((0, 0), 1).contains((1, 0)), BoundingBox.around((0, 0), 1).contains((2, 0))
        (True, False)
        """
        p = Position.of(position)
        return self.left_top.x <= p.x <= self.right_bottom.x and self.left_top.y <= p.y <= self.right_bottom.y

    def __str__(self) -> str:
        return f"[{self.left_top} .. {self.right_bottom}]"


ItemCounts = Annotated[dict[str, int], BeforeValidator(_empty_list_is_object)]


class InterfaceVersion(_Model):
    """What a remote interface's version() answers: its schema_version and the mod's version.

    Example: `(await game.version())['agent'].schema_version`
    """

    interface: str
    schema_version: int
    mod_version: str


class AgentInfo(_Model):
    """An agent as create_agent or list_agents describe it (each omits one of the optional fields).

    Example: `[a.agent_id for a in await game.list_agents()]`
    """

    agent_id: int
    interface_name: str
    force: str
    position: _Pos | None = None
    unit_number: int | None = None
    udp_port: int | None = None


class AgentState(_Model):
    """What inspect() of an agent answers: where it stands, its reach, what it is doing and holds.

    Example: `state = await agent.inspect(); state.position, state.inventory.get('coal', 0)`
    """

    agent_id: int
    name: str | None = None
    position: _Pos
    force: str
    reach_distance: float
    build_distance: float
    resource_reach_distance: float
    walking: bool
    mining: bool
    crafting_queue_size: int
    inventory: ItemCounts


class PlacedEntity(_Model):
    """The entity place_entity put down: its unit_number, name, position and direction.

    Example: `placed = await agent.place_entity('stone-furnace', (3, 0)); placed.position`
    """

    unit_number: int | None = None
    name: str
    position: _Pos
    direction: Direction = Direction.NORTH


class BurnerState(_Model):
    """A burner's fuel: energy left in the current fuel item, and which item burns.

    Example: `(await furnace.read_state()).burner.currently_burning`
    """

    remaining_burning_fuel: float
    currently_burning: str | None = None


_InventoryKind = Literal["fuel", "input", "output", "chest"]
_Inventories = Annotated[dict[_InventoryKind, ItemCounts], BeforeValidator(_empty_list_is_object)]


class EntityState(_Model):
    """What inspect_entity sees: `inventories` maps fuel/input/output/chest to item counts.

    `status` is the defines.entity_status name (None for entities without one, such as chests); `reachable` is
    whether the agent's character can reach it now; the kind-specific fields are None for other kinds.

    Example: `state = await agent.inspect_entity('stone-furnace', (3, 0)); state.inventory('fuel')`
    """

    unit_number: int | None = None
    name: str
    type: str
    position: _Pos
    direction: Direction = Direction.NORTH
    status: str | None = None
    inventories: _Inventories = {}
    reachable: bool
    # Assembling machines: the recipe set (LuaEntity.get_recipe).
    recipe: str | None = None
    # Burner entities (stone furnace, burner drill, boiler): the fuel burning.
    burner: BurnerState | None = None
    # Mining drills: where they put what they mine (LuaEntity.drop_position).
    drop_position: _Pos | None = None

    def inventory(self, kind: str) -> dict[str, int]:
        """The item counts of one inventory kind ({} when the entity has none of that kind).

        Example: `(await furnace.read_state()).inventory('output').get('iron-plate', 0)`
        """
        return dict(self.inventories.get(kind, {}))


class WalkResult(_Model):
    """Where a walk ended: the completed action's id, the character's position and the tick.

    Example: `result = await walking.to(MapPosition(10, 5)); result.position`
    """

    action_id: int
    position: _Pos
    tick: int


class MineResult(_Model):
    """What a hand-mining action got: the item, how many, and the tick it finished.

    Example: `result = await mining.mine('iron-ore', max_count=10); result.count`
    """

    action_id: int
    item: str
    count: int
    tick: int


class PickupResult(_Model):
    name: str
    items: ItemCounts


class Blocker(_Model):
    """An entity in the way of a placement: its name and position.

    Example: `[b.name for b in (await game.validate_placement('stone-furnace', (0, 0))).blockers]`
    """

    name: str
    position: _Pos


class PlacementCheck(_Model):
    """placement_hints' verdict on one spot: `valid`, and when not, `reason` and the `blockers`.

    Example: `check = await game.validate_placement('stone-furnace', (5, 5)); check.valid`
    """

    valid: bool
    entity_name: str
    position: _Pos
    reason: Literal["unknown_entity", "blocked"] | None = None
    blockers: list[Blocker] = []


class SnapshotStatus(_Model):
    """fv_snapshot's state: `waiting` until it has a run id, then `bootstrap` while writing, then `complete`.

    Example: `(await game.snapshot_status()).phase == 'complete'`
    """

    phase: Literal["waiting", "bootstrap", "complete"]
    run_id: str | None = None
    seq: int
    chunks: int
    udp_port: int
    output_dir: str


class ActionCompleted(_Model):
    """An action_completed record of the agent_udp wire format.

    Example: `done = await crafting.craft('iron-gear-wheel', count=2); done.success, done.result`
    """

    type: Literal["action_completed"]
    schema_version: int
    agent_id: int
    action_id: int
    action: str
    success: bool
    tick: int
    result: Annotated[dict[str, Any], BeforeValidator(_empty_list_is_object)]
    error: str | None = None
