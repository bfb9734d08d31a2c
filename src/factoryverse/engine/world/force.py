"""Forces: who owns entities, which chunks each has charted, which recipes it may craft, its bonuses, and its item
production statistics per surface."""

from __future__ import annotations

__all__ = ["Force"]


class Force:
    lua_class = "LuaForce"
    __slots__ = (
        "oid", "name", "index", "valid", "charted", "friends", "cease_fire", "share_chart", "recipes_enabled",
        "technologies_researched", "modifiers", "item_statistics", "research", "spawn_positions",
    )

    def __init__(self, name: str, index: int, oid: int, recipes: dict[str, dict] | None = None):
        self.oid = oid
        self.name = name
        self.index = index
        self.valid = True
        # surface index -> set of charted (cx, cy)
        self.charted: dict[int, set[tuple[int, int]]] = {}
        self.friends: set[str] = set()
        self.cease_fire: set[str] = set()
        self.share_chart = False
        # recipe name -> enabled, starting from each prototype's `enabled` (default true): what research unlocks is
        # disabled until then, as in a new game.
        self.recipes_enabled: dict[str, bool] = {
            name: bool(r.get("enabled", True)) for name, r in sorted((recipes or {}).items())
        }
        self.technologies_researched: set[str] = set()
        # The force's bonuses as LuaForce names them (manual_crafting_speed_modifier, inserter_stack_size_bonus,
        # bulk_inserter_capacity_bonus, ...); a name absent here reads as 0.
        self.modifiers: dict[str, float] = {}
        # surface index -> ItemFlowStatistics of what this force produced and consumed there
        # (mechanics/statistics.py; World.record_production / record_consumption fill it).
        self.item_statistics: dict[int, object] = {}
        # Technologies, research queue and progress, labs (mechanics/research.py), made on first use.
        self.research: object | None = None
        # surface index -> (x, y) set by LuaForce.set_spawn_position; a surface absent here spawns at the origin.
        self.spawn_positions: dict[int, tuple[float, float]] = {}

    def recipe_enabled(self, name: str) -> bool:
        return self.recipes_enabled.get(name, False)

    def modifier(self, name: str) -> float:
        return self.modifiers.get(name, 0.0)

    def is_charted(self, surface_index: int, cx: int, cy: int) -> bool:
        return (cx, cy) in self.charted.get(surface_index, ())

    def __repr__(self) -> str:
        return f"<Force {self.name}>"
