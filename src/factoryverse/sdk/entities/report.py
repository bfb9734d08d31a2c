"""EntityReport: what an entity object knows, as `entity.inspect(structured=True)` hands it out.

The common part is what every object holds (name, position, facing, view); the game's part is inspect_entity's
answer (EntityState) once a REACHABLE object has read it; the kind-specific fields come from the game or, for a
REMOTE object, from its map database row, and stay None for other kinds.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict

from factoryverse.sdk.types import BurnerState, Direction, ItemCounts, _Inventories, _Model, _Pos

__all__ = ["EntityReport"]


class EntityReport(_Model):
    """What an entity object knows: where it is and how it faces, then the game's state and its kind's facts.

    `view` is "reachable" or "remote"; `status`, `inventories`, `burner` and `reachable` are the game's answer
    when the object read it (a REACHABLE real entity), else None / {}. Kind-specific: `recipe` (assembling
    machines, and furnaces from the map database), `output_position` and `mining_target` (mining drills),
    `contents` (chests, from the map database). A belt or a wall has only the common part.

    Example: `report = furnace.inspect(structured=True); report.inventories.get('fuel', {})`
    """

    # A family class that hands over a field this model lacks is a bug to see, not a fact to drop quietly.
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    type: str | None = None
    position: _Pos
    direction: Direction
    view: Literal["reachable", "remote"]
    is_ghost: bool
    unit_number: int | None = None
    status: str | None = None
    inventories: _Inventories = {}
    burner: BurnerState | None = None
    reachable: bool | None = None
    recipe: str | None = None
    output_position: _Pos | None = None
    mining_target: str | None = None
    contents: ItemCounts | None = None
