"""What one applied batch of deltas changed, as the derived tables need to know it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Changes"]


@dataclass
class Changes:
    """Keys and places a batch touched; the caller fills it while applying deltas.

    Entities are entity_keys (unit numbers). An entity a chunk_charted delta brought in counts as added.
    tiles_changed holds (surface, resource name, x, y) of resource tiles added, removed or changed;
    chunks_charted (surface, cx, cy); power_records the electric_network records of power_changed deltas.

    belts / drills say whether any of the entities is or was a belt / a mining drill. The applier knows it
    for free (the records' components, the tables its deletes probed); None means unknown, and update_derived
    then asks the database.
    """

    entities_added: set[int] = field(default_factory=set)
    entities_removed: set[int] = field(default_factory=set)
    entities_changed: set[int] = field(default_factory=set)
    tiles_changed: set[tuple[str, str, int, int]] = field(default_factory=set)
    chunks_charted: set[tuple[str, int, int]] = field(default_factory=set)
    power_records: list[dict[str, Any]] = field(default_factory=list)
    belts: bool | None = None
    drills: bool | None = None

    def entities(self) -> set[int]:
        """Every entity key added, removed or changed."""
        return self.entities_added | self.entities_removed | self.entities_changed

    def __bool__(self) -> bool:
        return bool(self.entities_added or self.entities_removed or self.entities_changed or self.tiles_changed
                    or self.chunks_charted or self.power_records)
