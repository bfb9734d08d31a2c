"""A digest of the game state, the same in every process that simulated the same game.

Two runs of one game (same seed, mods and commands) must hash alike whatever Python's `PYTHONHASHSEED` or Lua's
table order: everything is visited in a canonical order (sorted keys, entities by unit_number, records without one
by their own content) and encoded in one fixed byte format. Engine object ids (`oid`, a process-wide counter) never
enter it: an object stands for itself by what names it in the game (an entity by its unit_number, a force or surface
by its name, an inventory by its owner and index).

What it covers: the tick; the map RNG (math.random); every surface's chunks (tiles, generation tick), the chunk
generation queue; every entity with its position, direction, force, health, inventories, burner, machine state and
deconstruction mark;
the scheduler's pending wake-ups (tick and entity, in order) and the walkers; forces (charted chunks, friends,
cease-fire) and pending chart requests; pending path requests; every mod's `storage` (and the level's); and the runtime-global mod settings.
Not covered: the clock controls (tick_paused, ticks_to_run, speed), so a game stepped tick by tick hashes like one
run freely; log lines and mod error logs; files written.

`state_hash(engine)` is the hex digest; `state_sections(engine)` one digest per section, to find what diverged.
"""

from __future__ import annotations

import hashlib
import math
import struct
from typing import TYPE_CHECKING, Any, Callable, Iterable

from factoryverse.engine.errors import EngineError
from factoryverse.engine.lua.table_ids import table_numberer

if TYPE_CHECKING:
    from factoryverse.engine.engine import Engine

__all__ = ["state_hash", "state_sections", "StateHashError", "ALGORITHM", "canonical_bytes"]

ALGORITHM = "blake2b-256"


class StateHashError(EngineError):
    """The state holds something the game could not save either (a function in a mod's storage), so it has no hash."""


# -- the byte format ------------------------------------------------------------------------------------------
# One tag byte per value, then a fixed-width length or the value: no two different values encode alike, and
# the encoding depends on nothing but the value.


def _encode(value: Any, out: bytearray) -> None:
    if value is None:
        out += b"N"
    elif value is True:
        out += b"T"
    elif value is False:
        out += b"F"
    elif isinstance(value, int):
        text = str(value).encode()
        out += b"I" + struct.pack("<I", len(text)) + text
    elif isinstance(value, float):
        if value.is_integer():  # Lua 5.2 has one number type: 3 and 3.0 are the same value there
            _encode(int(value), out)
        elif math.isnan(value):
            out += b"D" + b"nan"  # every NaN is one value to the game's Lua
        else:
            out += b"D" + struct.pack("<d", value)
    elif isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
        out += b"S" + struct.pack("<I", len(data)) + data
    elif isinstance(value, bytes):
        out += b"B" + struct.pack("<I", len(value)) + value
    elif isinstance(value, (list, tuple)):
        out += b"L" + struct.pack("<I", len(value))
        for item in value:
            _encode(item, out)
    else:
        raise TypeError(f"state hash: cannot encode {type(value).__name__}")  # an engine bug: values are normalised first


def canonical_bytes(value: Any) -> bytes:
    """The canonical encoding of a normalised value (None, bools, numbers, strings, bytes, lists of them)."""
    out = bytearray()
    _encode(value, out)
    return bytes(out)


def _sorted_records(records: Iterable[Any]) -> list[bytes]:
    """Records whose order carries no meaning, in the order of their encodings."""
    return sorted(canonical_bytes(r) for r in records)


# -- stable identities ----------------------------------------------------------------------------------------


def ref(obj: Any) -> Any:
    """How an engine object is named in the hash: by its identity in the game, never by its oid."""
    cls = getattr(obj, "lua_class", None)
    if cls == "LuaEntity":
        if obj.unit_number is not None:
            return ["LuaEntity", obj.unit_number]
        return ["LuaEntity", obj.name, obj.surface.name, obj.x, obj.y]
    if cls in ("LuaSurface", "LuaForce"):
        return [cls, obj.name]
    if cls == "LuaInventory":
        return [cls, ref(obj.owner) if obj.owner is not None else None, obj.index]
    if cls == "LuaBurner":
        return [cls, ref(obj.owner)]
    if cls == "LuaTile":
        return [cls, obj.surface.name, obj.x, obj.y]
    if cls == "LuaBootstrap":
        return [cls, obj.name]
    owner = getattr(obj, "owner", None)
    if owner is not None and hasattr(owner, "name"):  # per-state handles: remote, commands
        return [cls, owner.name]
    name = getattr(obj, "name", None)
    if isinstance(name, str):  # prototypes
        return [cls, name]
    return [cls]  # one per game: game, rcon, helpers, prototypes


def _is_prototype(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("name"), str) and isinstance(value.get("type"), str)


def _plain(value: Any, depth: int = 0) -> Any:
    """A machine's or request's field as a normalised value: engine objects by ref, prototypes by name."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if getattr(value, "lua_class", None) is not None:
        return ref(value)
    if _is_prototype(value):
        return ["proto", value["type"], value["name"]]
    if depth > 8:
        raise TypeError("state hash: machine state nested too deep")  # an engine bug: machines hold flat state
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(canonical_bytes(_plain(v, depth + 1)) for v in value)  # no order: by encoding
    if isinstance(value, dict):
        items = sorted(((canonical_bytes(_plain(k, depth + 1)), _plain(v, depth + 1)) for k, v in value.items()), key=lambda kv: kv[0])
        return [[k, v] for k, v in items]
    slots = _slots(value)
    if slots:
        return [type(value).__name__] + [[s, _plain(getattr(value, s, None), depth + 1)] for s in slots]
    if callable(value):
        return None  # callbacks (inventory filters) are fixed by the prototype, not state
    raise TypeError(f"state hash: cannot describe {type(value).__name__}")


def _slots(obj: Any) -> list[str]:
    names: list[str] = []
    for cls in type(obj).__mro__:
        for s in getattr(cls, "__slots__", ()):
            if s not in names and s != "__weakref__":
                names.append(s)
    fields = getattr(obj, "__dataclass_fields__", None)
    if fields:
        names.extend(f for f in fields if f not in names)
    return names


# -- sections -------------------------------------------------------------------------------------------------


def _inventory(inv: Any) -> Any:
    return [inv.index, [None if s is None else [s.name, s.count] for s in inv.slots], inv.bar, inv.filters]


def _machine(machine: Any) -> Any:
    if machine is None:
        return None
    # Every slot: a new machine kind is covered without a change here. Its back-reference to the entity and its
    # prototype-derived tables come out as refs and names, so they cost little and carry no oid.
    return _plain(machine)


def _entity(e: Any) -> Any:
    burner = e.burner
    return [
        ref(e),
        e.name,
        e.surface.name,
        e.x,
        e.y,
        e.direction,
        e.force.name if e.force is not None else None,
        e.valid,
        e.health,
        e.amount,
        e.walking,
        e.walking_direction,
        None if e.stack is None else [e.stack.name, e.stack.count],
        [_inventory(inv) for _, inv in sorted(e.inventories.items(), key=lambda kv: str(kv[0]))],
        # What is left burning now (the burner's own fields are as of its last update; engine/mechanics/burner.py).
        None if burner is None else [burner.currently_burning, burner.remaining_at(e.surface.tick_source())],
        _machine(e.state),
        None if e.deconstruction is None else e.deconstruction.name,
        _plain(getattr(e, "looks", None)),  # color, name tag, orientation set by script
    ]


def _world(engine: Engine, h: Callable[[Any], None]) -> None:
    world = engine.world
    h(["unit_numbers", world._unit_numbers])
    for surface in sorted(world.surfaces.values(), key=lambda s: s.index):
        h(["surface", surface.index, surface.name, surface.valid])
        if surface.generate_with_lab_tiles:  # hashed only when set, so every other game's hash stays as it was
            h(["generate_with_lab_tiles"])
        for key in sorted(surface.chunks):
            chunk = surface.chunks[key]
            h(["chunk", chunk.cx, chunk.cy, chunk.generated_tick, "\0".join(chunk.tiles)])
        # The queue's order is when each chunk will appear: state.
        h(["requested", [list(k) for k in surface.requested]])
        numbered, other = [], []
        for e in surface.all_entities():
            (numbered if e.unit_number is not None else other).append(e)
        numbered.sort(key=lambda e: e.unit_number)
        for e in numbered:
            h(["entity", _entity(e)])
        # Resources, trees, rocks and items on the ground have no unit_number: a multiset, in encoding order.
        h(["unnumbered", _sorted_records(_entity(e) for e in other)])
    # Update order matters for what happens next (who takes the last coal first).
    h(["scheduled", [[tick, ref(e)] for tick, e in world.scheduler.pending()]])
    h(["walkers", [ref(e) for e in world.walkers.values()]])
    h(["electric", _plain(world.electric.describe())])  # networks and day cycles (mechanics/electric_grid.py)
    h(["pending_chunk_events", [[s.name, c.cx, c.cy] for s, c in world.pending_chunk_events]])
    h(["pending_chart_events", [[f.name, s.name, cx, cy] for f, s, cx, cy in world.pending_chart_events]])
    # Chart requests in arrival order: the order they are charted in (mechanics/charting.py).
    h(["chart_requests", [list(k) for k in world.charting.requests]])


def _research(engine: Engine, force: Any) -> Any:
    """The force's research, or the fresh state the first read of it creates (mechanics/research.research_of): a
    force nobody has asked about yet and one just read are the same game, so they hash alike."""
    research = getattr(force, "research", None)
    if research is None:
        from factoryverse.engine.mechanics.research import ResearchState

        research = ResearchState(engine.world.protos.technologies)
    return research


def _forces(engine: Engine, h: Callable[[Any], None]) -> None:
    for force in sorted(engine.world.forces.values(), key=lambda f: f.index):
        charted = [[index, sorted(list(c) for c in chunks)] for index, chunks in sorted(force.charted.items())]
        h(["force", force.index, force.name, force.valid, charted, sorted(force.friends), sorted(force.cease_fire),
           force.share_chart, _plain(force.recipes_enabled), sorted(force.technologies_researched),
           _plain(force.modifiers), [[i, _plain(st)] for i, st in sorted(force.item_statistics.items())],
           _plain(_research(engine, force)),  # technologies, queue, progress (mechanics/research.py)
           sorted([i, list(p)] for i, p in getattr(force, "spawn_positions", {}).items())])


def _rendering(engine: Engine, h: Callable[[Any], None]) -> None:
    from factoryverse.engine.world.render_objects import hash_records  # LuaRendering's objects are game state

    h(["rendering", hash_records(engine)])


def _rng(engine: Engine, h: Callable[[Any], None]) -> None:
    rng = engine.__dict__.get("_lua_math_random")
    # Made on first use of math.random; until then the stream is the seed's untouched one.
    h(["math.random", None if rng is None else _plain(rng.getstate())])


def _paths(engine: Engine, h: Callable[[Any], None]) -> None:
    paths = engine.paths
    h(["next_path_id", paths._next_id])
    for req in paths.pending:
        h(["path_request", _plain(req)])


def _storages(engine: Engine, h: Callable[[Any], None]) -> None:
    owners = [(mod.name, mod.state) for mod in engine.mods]
    owners.append(("level", engine.level))
    for name, state in sorted(owners, key=lambda o: o[0]):
        storage = state.globals().storage
        h(["storage", name, _LuaWalker(state, name).value(storage, "storage")])


def _settings(engine: Engine, h: Callable[[Any], None]) -> None:
    # Runtime-global mod settings and per-user defaults are game state (engine/settings.py); startup ones are not.
    settings = engine.__dict__.get("mod_settings")
    if settings is not None:
        h(["mod_settings", _plain(settings.runtime_state())])


_SECTIONS: dict[str, Callable[[Engine, Callable[[Any], None]], None]] = {
    "world": _world,
    "forces": _forces,
    "rng": _rng,
    "rendering": _rendering,
    "paths": _paths,
    "storage": _storages,
    "settings": _settings,
}


# -- mods' storage --------------------------------------------------------------------------------------------


class _LuaWalker:
    """A Lua value as a normalised one: tables by sorted keys, a table met again by the number of its first visit
    (canonical, since the visit order is), API objects by ref. Functions and coroutines are refused, as the game
    refuses to save them."""

    def __init__(self, state: Any, owner: str):
        self.state = state
        self.owner = owner
        self.seen: dict[int, int] = {}
        # lupa's table wrappers compare by Python identity, so two reads of one table look like two tables; this
        # numbers the tables themselves, in Lua, for the walk's cycle and sharing checks (never hashed).
        self.table_id = table_numberer(state)

    def value(self, v: Any, path: str) -> Any:
        if v is None or isinstance(v, (bool, int, float, str, bytes)):
            return v
        kind = self.state.lua_type(v)
        if kind == "table":
            obj = self.state.api_object(v)
            if obj is not None:
                return ["object", ref(obj)]
            return self._table(v, path)
        what = kind or type(v).__name__
        raise StateHashError(
            f"{self.owner}'s {path} holds a {what}; Factorio cannot save one in storage, so the state has no hash "
            "(keep only data and API objects in storage)"
        )

    def _table(self, t: Any, path: str) -> Any:
        key = self.table_id(t)
        if key in self.seen:
            return ["shared", self.seen[key]]
        self.seen[key] = len(self.seen)
        entries = []
        for k, v in t.items():
            nk = self.value(k, f"{path} key")
            entries.append((canonical_bytes(nk), k, nk))
        entries.sort(key=lambda e: e[0])
        out = []
        for _, k, nk in entries:
            out.append([nk, self.value(t[k], f"{path}[{_show(k)}]")])
        return ["table", out]


def _show(key: Any) -> str:
    return repr(key) if isinstance(key, str) else str(key)


# -- entry points ---------------------------------------------------------------------------------------------


def _digest(engine: Engine, sections: Iterable[str]) -> tuple[str, dict[str, str]]:
    whole = hashlib.blake2b(digest_size=32)
    parts: dict[str, str] = {}
    for name in sections:
        part = hashlib.blake2b(digest_size=32)

        def feed(record: Any, part: Any = part) -> None:
            data = canonical_bytes(record)
            part.update(struct.pack("<Q", len(data)))
            part.update(data)

        feed(["section", name])
        _SECTIONS[name](engine, feed)
        parts[name] = part.hexdigest()
        whole.update(name.encode() + b"\0" + bytes.fromhex(parts[name]))
    whole.update(b"tick\0" + str(engine.tick).encode())
    return whole.hexdigest(), parts


def state_hash(engine: Engine) -> str:
    """The game state's digest (blake2b, 32 bytes, hex). Raises StateHashError if a mod's storage holds a function."""
    return _digest(engine, _SECTIONS)[0]


def state_sections(engine: Engine) -> dict[str, str]:
    """One digest per section (world, forces, rng, paths, storage, settings), to see which part of two games differs."""
    return _digest(engine, _SECTIONS)[1]
