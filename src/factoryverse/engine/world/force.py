"""Forces: who owns entities, and which chunks each has charted."""

from __future__ import annotations

__all__ = ["Force"]


class Force:
    lua_class = "LuaForce"
    __slots__ = ("oid", "name", "index", "valid", "charted", "friends", "cease_fire", "share_chart")

    def __init__(self, name: str, index: int, oid: int):
        self.oid = oid
        self.name = name
        self.index = index
        self.valid = True
        # surface index -> set of charted (cx, cy)
        self.charted: dict[int, set[tuple[int, int]]] = {}
        self.friends: set[str] = set()
        self.cease_fire: set[str] = set()
        self.share_chart = False

    def is_charted(self, surface_index: int, cx: int, cy: int) -> bool:
        return (cx, cy) in self.charted.get(surface_index, ())

    def __repr__(self) -> str:
        return f"<Force {self.name}>"
