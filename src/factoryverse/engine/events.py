"""Game events: ids from Factorio's `defines.events`, dispatched to the handlers each mod registered."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factoryverse.engine.errors import ScriptError

if TYPE_CHECKING:
    from factoryverse.engine.engine import Engine

__all__ = ["EventBus"]


class EventBus:
    def __init__(self, engine: Engine):
        from factoryverse.engine.api.defines import event_ids

        self.engine = engine
        self.ids: dict[str, int] = event_ids()
        self.names: dict[int, str] = {v: k for k, v in self.ids.items()}
        self._next_custom = max(self.ids.values()) + 1
        self.custom_names: dict[str, int] = {}

    def id_of(self, event: Any) -> int:
        if isinstance(event, bool):
            raise ScriptError(f"Invalid event id: {event}")
        if isinstance(event, (int, float)) and int(event) == event:
            if int(event) in self.names:
                return int(event)
            raise ScriptError(f"Invalid event id: {int(event)}")
        if isinstance(event, str):
            if event in self.ids:
                return self.ids[event]
            if event in self.custom_names:
                return self.custom_names[event]
            raise ScriptError(f"Unknown event name: {event}")
        raise ScriptError(f"Invalid event identifier: {event!r}")

    def generate_event_name(self, name: str | None = None) -> int:
        eid = self._next_custom
        self._next_custom += 1
        label = name or f"custom_{eid}"
        self.names[eid] = label
        if name:
            self.custom_names[name] = eid
        return eid

    def _handlers(self, eid: int):
        engine = self.engine
        for owner in [*engine.mods, engine.level_script]:
            fn = owner.handlers.get(eid)
            if fn is not None:
                yield owner, fn

    def raise_event(self, event: str | int, data: dict[str, Any]) -> None:
        """Call every handler of `event` with a fresh event table ({name, tick, ...data}) in its own state."""
        eid = event if isinstance(event, int) else self.ids[event]
        payload = {**data, "name": eid, "tick": self.engine.tick}
        label = self.names.get(eid, str(eid))
        for owner, fn in list(self._handlers(eid)):
            table = owner.state.to_lua(payload)
            self.engine._run_handler(owner, f"event {label}", fn, table)

    def raise_tick(self) -> None:
        engine = self.engine
        world = engine.world
        if world.pending_chunk_events:
            pending, world.pending_chunk_events = world.pending_chunk_events, []
            for surface, chunk in pending:
                x0, y0 = chunk.cx * 32, chunk.cy * 32
                self.raise_event(
                    "on_chunk_generated",
                    {
                        "surface": surface,
                        "position": {"x": chunk.cx, "y": chunk.cy},
                        "area": {"left_top": {"x": x0, "y": y0}, "right_bottom": {"x": x0 + 32, "y": y0 + 32}},
                    },
                )
        if world.pending_chart_events:
            charted, world.pending_chart_events = world.pending_chart_events, []
            for force, surface, cx, cy in charted:
                x0, y0 = cx * 32, cy * 32
                self.raise_event(
                    "on_chunk_charted",
                    {
                        "surface_index": surface.index,
                        "position": {"x": cx, "y": cy},
                        "area": {"left_top": {"x": x0, "y": y0}, "right_bottom": {"x": x0 + 32, "y": y0 + 32}},
                        "force": force,
                    },
                )
        tick = engine.tick
        self.raise_event("on_tick", {})
        for owner in [*engine.mods, engine.level_script]:
            for n, fn in list(owner.nth_tick.items()):
                if tick % n == 0:
                    table = owner.state.to_lua({"tick": tick, "nth_tick": n})
                    engine._run_handler(owner, f"on_nth_tick({n})", fn, table)
