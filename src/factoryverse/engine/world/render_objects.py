"""Render objects (LuaRendering) as world state: saved, forked and hashed with the world; engine/api/rendering.py
is their API. An object is valid until destroyed, until its time to live runs out, or until an entity it is attached
to is gone, each computed from the current tick when read, so objects cost nothing per tick."""

from __future__ import annotations

import heapq
from typing import Any

__all__ = ["RenderObject", "RenderingState", "rendering_state", "hash_records", "TARGETS"]

TARGETS = ("target", "from", "to", "left_top", "right_bottom", "orientation_target")


class RenderObject:
    """One drawn object: its id, type, creating mod, surface index and properties (plain data and entities)."""

    __slots__ = ("oid", "id", "type", "mod_name", "surface", "props", "expires", "destroyed", "owner")
    lua_class = "LuaRenderObject"

    def __init__(self, owner: RenderingState, oid: int, rid: int, type_: str, mod_name: str, surface: int,
                 props: dict[str, Any]):
        self.owner, self.oid, self.id, self.type, self.mod_name = owner, oid, rid, type_, mod_name
        self.surface, self.props, self.expires, self.destroyed = surface, props, None, False

    @property
    def valid(self) -> bool:
        if self.destroyed or (self.expires is not None and self.owner.world.tick >= self.expires):
            return False
        return all(getattr(e, "valid", True) for e in _entities(self.props))


class RenderingState:
    """The game's render objects by id, in drawing order, and when each that expires does (a heap)."""

    __slots__ = ("world", "next_id", "objects", "expiry")

    def __init__(self, world: Any):
        self.world, self.next_id, self.objects, self.expiry = world, 1, {}, []

    def purge(self) -> None:
        """Forget objects no longer valid: expired ones through the heap, destroyed or detached ones by a look."""
        tick = self.world.tick
        while self.expiry and self.expiry[0][0] <= tick:
            at, rid = heapq.heappop(self.expiry)
            obj = self.objects.get(rid)
            if obj is not None and obj.expires == at:
                del self.objects[rid]
        for rid in [rid for rid, obj in self.objects.items() if not obj.valid]:
            del self.objects[rid]

    def set_ttl(self, obj: RenderObject, ttl: int) -> None:
        obj.expires = None if ttl == 0 else self.world.tick + ttl
        if obj.expires is not None:
            heapq.heappush(self.expiry, (obj.expires, obj.id))


def rendering_state(world: Any) -> RenderingState:
    state = world.__dict__.get("rendering")
    if state is None:
        state = world.rendering = RenderingState(world)
    return state


def _entities(props: dict[str, Any]) -> list[Any]:
    out = []
    for key in TARGETS:
        t = props.get(key)
        if isinstance(t, dict) and t.get("entity") is not None:
            out.append(t["entity"])
    for v in props.get("vertices") or ():
        if isinstance(v, dict) and v.get("entity") is not None:
            out.append(v["entity"])
    return out


def hash_records(engine: Any) -> list[Any]:
    """The live objects as plain records, in drawing order, for the state hash."""
    state = engine.world.__dict__.get("rendering")
    if state is None:
        return []
    return [[o.id, o.type, o.mod_name, o.surface, o.expires, _plain(o.props)] for o in state.objects.values() if o.valid]


def _plain(v: Any) -> Any:
    if isinstance(v, dict):
        return [[k, _plain(x)] for k, x in v.items()]
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    unit = getattr(v, "unit_number", None)
    return ["entity", unit, getattr(v, "oid", None)] if getattr(v, "lua_class", None) else v
