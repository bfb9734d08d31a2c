"""`LuaSurface.request_path`: requests are solved on a later tick and answered by on_script_path_request_finished."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from factoryverse.engine.world.pathfinding import PathfindingError, find_path

# Bounds one request's search (an unreachable goal explores everything reachable up to this many tiles).
_MAX_NODES = 60_000

if TYPE_CHECKING:
    from factoryverse.engine.engine import Engine
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.surface import Surface

__all__ = ["PathRequests", "PathRequest"]

log = logging.getLogger("factoryverse.engine.pathing")


@dataclass
class PathRequest:
    id: int
    surface: Surface
    start: tuple[float, float]
    goal: tuple[float, float]
    layers: frozenset[str]
    radius: float
    ignore: Entity | None
    due_tick: int


class PathRequests:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._next_id = 0
        self.pending: list[PathRequest] = []

    def request(
        self, surface: Surface, start, goal, layers: frozenset[str], radius: float, ignore: Entity | None
    ) -> int:
        self._next_id += 1
        # Factorio answers on a later tick, never inside the call that asked.
        self.pending.append(PathRequest(self._next_id, surface, start, goal, layers, radius, ignore, self.engine.tick + 1))
        return self._next_id

    def update(self) -> None:
        if not self.pending:
            return
        due = [r for r in self.pending if r.due_tick <= self.engine.tick]
        if not due:
            return
        self.pending = [r for r in self.pending if r.due_tick > self.engine.tick]
        for req in due:
            data: dict[str, Any] = {"id": req.id, "try_again_later": False}
            path = self._solve(req)
            if path is not None:
                data["path"] = [{"position": {"x": x, "y": y}, "needs_destroy_to_reach": False} for x, y in path]
            self.engine.events.raise_event("on_script_path_request_finished", data)

    def _solve(self, req: PathRequest) -> list[tuple[float, float]] | None:
        """The path, or None for a failed search; one bad request must not stop the tick or the other answers."""
        ignore = (req.ignore,) if req.ignore is not None and req.ignore.valid else ()
        try:
            blocked = req.surface.tile_blocked_for(req.layers, ignore)
            return find_path(blocked, req.start, req.goal, radius=req.radius, max_nodes=_MAX_NODES)
        except PathfindingError:
            return None  # a malformed request fails like an unreachable goal: the event carries no path
        except Exception:
            log.exception("path request %d failed inside the engine; answering it without a path", req.id)
            return None
