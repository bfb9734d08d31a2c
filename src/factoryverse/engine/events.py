"""Game events: ids from Factorio's `defines.events`, dispatched to the handlers each mod registered."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factoryverse.engine.errors import LuaRuntimeError, ScriptError
from factoryverse.engine.lua.event_table import PROXY, SCALAR, EventData, flatten

if TYPE_CHECKING:
    from factoryverse.engine.engine import Engine

__all__ = ["EventBus"]

# on_chunk_charted's table, {surface_index, position = {x, y}, area = {left_top = {x, y}, right_bottom = {x, y}}, force},
# as lua/event_table.py's flatten gives its shape.
_XY = (("x", SCALAR), ("y", SCALAR))
_CHART_SHAPE = (
    ("surface_index", SCALAR), ("position", _XY), ("area", (("left_top", _XY), ("right_bottom", _XY))), ("force", PROXY),
)


class EventBus:
    def __init__(self, engine: Engine):
        from factoryverse.engine.api.defines import event_ids

        self.engine = engine
        # The events of the version the game runs as: a 2.1-only event is no event on a 2.0 server.
        self.ids: dict[str, int] = event_ids(engine.factorio.api)
        self.names: dict[int, str] = {v: k for k, v in self.ids.items()}
        self._next_custom = max(self.ids.values()) + 1
        self.custom_names: dict[str, int] = {}
        self._on_tick = self.ids["on_tick"]
        self._on_chunk_charted = self.ids["on_chunk_charted"]
        self._labels: dict[tuple[str, int], str] = {}

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

    def _handlers(self, eid: int) -> list[tuple[Any, Any]]:
        engine = self.engine
        found = []
        for owner in engine.mods:
            fn = owner.handlers.get(eid)
            if fn is not None:
                found.append((owner, fn))
        fn = engine.level_script.handlers.get(eid)
        if fn is not None:
            found.append((engine.level_script, fn))
        return found

    def _what(self, owner: Any, eid: int) -> str:
        # Named once per mod and event: these names label every handler call (errors, the watchdog's messages).
        key = (owner.name, eid)
        what = self._labels.get(key)
        if what is None:
            what = self._labels[key] = f"{owner.name} event {self.names.get(eid, str(eid))}"
        return what

    def raise_event(self, event: str | int, data: dict[str, Any]) -> None:
        """Call every handler of `event` with a fresh event table ({name, tick, ...data}) in its own state. With no
        handler, nothing is built and no mod's state is entered."""
        eid = event if isinstance(event, int) else self.ids[event]
        handlers = self._handlers(eid)
        if not handlers:
            return
        tick = self.engine.tick
        flat = flatten(data) if data else None
        for owner, fn in handlers:
            if flat is not None:
                self._call_data(owner, self._what(owner, eid), fn, eid, tick, flat)
            elif data:
                table = owner.state.to_lua({**data, "name": eid, "tick": tick})
                self.engine._run_handler(owner, f"event {self.names.get(eid, str(eid))}", fn, table)
            else:
                self._call_simple(owner, self._what(owner, eid), fn, eid, tick, None)

    def _raise_flat(self, eid: int, flat: EventData) -> None:
        """raise_event with data flattened by the caller (events it raises in bulk, such as on_chunk_charted)."""
        handlers = self._handlers(eid)
        tick = self.engine.tick
        for owner, fn in handlers:
            self._call_data(owner, self._what(owner, eid), fn, eid, tick, flat)

    def _call_data(self, owner: Any, what: str, fn: Any, name: int, tick: int, flat: EventData) -> None:
        try:
            owner.state.call_event_data(what, fn, name, tick, flat)
        except LuaRuntimeError as e:
            self.engine.record_mod_error(owner, what[len(owner.name) + 1:], e)

    def _call_simple(self, owner: Any, what: str, fn: Any, name: int | None, tick: int, nth_tick: int | None) -> None:
        """A handler whose event table is only name and tick (or nth_tick and tick), made in Lua: one crossing."""
        try:
            owner.state.call_event(what, fn, name, tick, nth_tick)
        except LuaRuntimeError as e:
            # As Engine._run_handler: logged with its traceback, and the game goes on.
            self.engine.record_mod_error(owner, what[len(owner.name) + 1:], e)

    def object_invalidated(self, oid: Any) -> None:
        """Tell every Lua state that the engine object `oid` became invalid, so proxies stop answering the members
        glue.lua keeps for them (lua/runtime.py: LuaState.invalidate). Costs a dictionary lookup per state that
        holds no proxy of it."""
        engine = self.engine
        for owner in engine.mods:
            if owner.state is not None:
                owner.state.invalidate(oid)
        level = getattr(engine, "level", None)  # made after the world: None while the world is generated
        if level is not None:
            level.invalidate(oid)

    def object_moved(self, oid: Any) -> None:
        """Tell every Lua state that the entity `oid` moved, so its proxies read the position from the engine again
        (LuaState.moved)."""
        engine = self.engine
        for owner in engine.mods:
            if owner.state is not None:
                owner.state.moved(oid)
        level = getattr(engine, "level", None)
        if level is not None:
            level.moved(oid)

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
            if self._handlers(self._on_chunk_charted):
                # Radars chart 49 chunks a pulse: the table's shape is fixed, so only its values are made here.
                for force, surface, cx, cy in charted:
                    x0, y0 = cx * 32, cy * 32
                    args = [surface.index, cx, cy, x0, y0, x0 + 32, y0 + 32, force.lua_class, force.oid]
                    self._raise_flat(self._on_chunk_charted, EventData(_CHART_SHAPE, args, [(7, force, True)]))
        tick = engine.tick
        self.raise_event(self._on_tick, {})
        for owner in (*engine.mods, engine.level_script):
            if owner.nth_tick:
                for n, fn in list(owner.nth_tick.items()):
                    if tick % n == 0:
                        self._call_simple(owner, f"{owner.name} on_nth_tick({n})", fn, None, tick, n)
