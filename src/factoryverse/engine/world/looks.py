"""What a script set about how an entity looks (LuaEntity.color, name_tag, a vehicle's orientation): kept on the
entity (`Entity.looks`, made on the first write) and saved with it; api/entity_looks.py reads and writes it."""

from __future__ import annotations

__all__ = ["Looks"]


class Looks:
    """`color` (r, g, b, a in 0..1) or None, `name_tag` or None, `orientation` (vehicles, 0..1) or None."""

    __slots__ = ("color", "name_tag", "orientation")

    def __init__(self) -> None:
        self.color: tuple[float, float, float, float] | None = None
        self.name_tag: str | None = None
        self.orientation: float | None = None
