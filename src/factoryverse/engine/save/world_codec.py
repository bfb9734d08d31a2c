"""The world as bytes: every surface, chunk, entity, inventory, burner, machine, force, the scheduler's queue, the
object id counter, path requests, the map RNG and the clock, in one pickle of the engine's own classes.

Why a pickle: the world is a graph (drills point at their resource and output, inventories at their subscribers,
the scheduler at entities), and pickle keeps every shared reference and cycle with C speed. What it never holds is
anything the save does not own: the engine, prototype data (an entity's prototype is written as its type and
name), kinds, the map generator (its seed and settings) and functions (the one
function the world shares, its stack-size lookup, is written by name; any other function is an engine bug and
fails the save with `SaveError`). Loading accepts only the engine's world classes and a few builtins
(`_Unpickler.find_class`), so a save names no other code.

The graph's bulk (the object table's columns, chunks' tiles and entities, the name and type indexes, the
scheduler's queue) is written as bytes and flat columns (_object_table.py, _columns.py): pickle's one opcode per
value was most of a save's and a load's time.
"""

from __future__ import annotations

import contextvars
import gc
import io
import operator
import pickle
import types
from typing import TYPE_CHECKING, Any, Callable

from factoryverse.engine.errors import EngineError
from factoryverse.engine.kinds import kind_of
from factoryverse.engine.mechanics.scheduler import Scheduler
from factoryverse.engine.save import _object_table as _table
from factoryverse.engine.save._columns import Encoder, decode_list, unpack
from factoryverse.engine.world._entity_index import EntityIndex
from factoryverse.engine.world.entity import NO_INVENTORIES, Entity
from factoryverse.engine.world.inventory import Inventory, StackSizes, stack_sizes
from factoryverse.engine.world.mapgen import CHUNK_SIZE, MapGenerator
from factoryverse.engine.world.surface import Chunk, Surface
from factoryverse.engine.world.world import World

if TYPE_CHECKING:
    from factoryverse.engine.engine import Engine

__all__ = ["dump_world", "load_world", "SaveError", "CorruptSaveError", "no_cyclic_gc"]


class SaveError(EngineError):
    """The game cannot be saved as it is (a function in a mod's storage, a bad save name); nothing was written."""


class CorruptSaveError(EngineError):
    """A save file is damaged, truncated or not a FactoryVerse save; the running game is untouched."""


# What a load rebuilds references into: the new engine. Set only while `load_world` runs.
_LOADING: contextvars.ContextVar[Engine] = contextvars.ContextVar("factoryverse_world_load")
# What a save encodes columns with (the table's objects). Set only while `dump_world` pickles.
_ENCODER: contextvars.ContextVar[Encoder] = contextvars.ContextVar("factoryverse_world_save")

# World attributes derived from prototype data, rebuilt on demand after a load.
_WORLD_DERIVED = ("engine", "protos", "_stack_size_fn", "_fuel_values", "_furnace_recipes")
_SURFACE_DERIVED = ("mapgen", "tile_protos", "on_chunk_generated", "tick_source", "_tile_layers")
_ENTITY_DERIVED = ("proto", "kind")


_SLOT_READERS: dict[tuple[type, tuple[str, ...]], tuple[tuple[str, ...], Callable[[Any], tuple]]] = {}


def _slots_of(obj: Any, skip: tuple[str, ...]) -> dict[str, Any]:
    key = (type(obj), skip)
    found = _SLOT_READERS.get(key)
    if found is None:
        names: list[str] = []
        for cls in type(obj).__mro__:
            for s in getattr(cls, "__slots__", ()):
                if s not in skip and s != "__weakref__" and s not in names:
                    names.append(s)
        found = _SLOT_READERS[key] = (tuple(names), operator.attrgetter(*names))
    names_, read = found
    try:
        # One C call reads every slot: a save walks tens of thousands of entities.
        return dict(zip(names_, read(obj)))
    except AttributeError:
        out = {}
        for s in names_:
            try:
                out[s] = getattr(obj, s)
            except AttributeError:
                pass  # a slot never set stays unset
        return out


def _reduce_chunk(chunk: Chunk) -> Any:
    # A chunk's 1,024 tile names as positions in its own name table: a pickle reference per tile cost more than
    # everything else in a chunk. Its entities as one column of table references (_columns.py).
    encoder = _ENCODER.get()
    fields = _slots_of(chunk, ())
    fields["tiles"] = encoder.encode(chunk.tiles)
    fields["entities"] = encoder.pack(chunk.entities, 1)
    return (_restore_packed, (Chunk,), (None, fields))


def _reduce_packed_slots(obj: Any) -> Any:
    encoder = _ENCODER.get()
    packed = _PACKED_SLOTS[type(obj)]
    fields = _slots_of(obj, ())
    for name, depth in packed.items():
        fields[name] = encoder.pack(fields[name], depth)
    return (_restore_packed, (type(obj),), (None, fields))


# -- writing --------------------------------------------------------------------------------------------------


# Indexes and queues the world owns, with how many levels of containers in them are owned: written flat
# (_columns.py), made anew after the load. A chunk's tiles and entities, an entity index's buckets (key -> chunk ->
# {oid: entity}), the scheduler's heap of (tick, sequence, generation, entity).
_WORLD_PACKED = {"by_unit_number": 1, "resource_watchers": 2}
_SURFACE_PACKED = {"_arrival": 1, "resources_at": 2}
_PACKED_SLOTS: dict[type, dict[str, int]] = {
    Chunk: {"entities": 1},
    EntityIndex: {"_buckets": 4, "_sorted": 2},
    Scheduler: {"_heap": 2},
}


def _packed_state(obj: Any, derived: tuple[str, ...], packed: dict[str, int]) -> dict[str, Any]:
    pack = _ENCODER.get().pack
    return {k: pack(v, packed[k]) if k in packed else v for k, v in obj.__dict__.items() if k not in derived}


def _reduce_world(world: World) -> Any:
    return (_restore_world, (), _packed_state(world, _WORLD_DERIVED, _WORLD_PACKED))


def _reduce_surface(surface: Surface) -> Any:
    state = _packed_state(surface, _SURFACE_DERIVED, _SURFACE_PACKED)
    state["_mapgen_args"] = (surface.mapgen.seed, surface.mapgen.settings)
    return (_restore_surface, (), state)


def _reduce_entity(entity: Entity) -> Any:
    # Only entities on no surface come here (destroyed ones a storage or the scheduler still holds): the others are
    # in the object table (_object_table.py), which `_WorldPickler.reducer_override` writes as items of its list.
    return (_restore_entity, (entity.type, entity.name), (None, _slots_of(entity, _ENTITY_DERIVED)))


def _reduce_inventory(inv: Inventory) -> Any:
    # Every inventory's waker is its world's `wake`: a bound method each, which pickle would write (and a load
    # rebuild) one by one. Written as a flag, given back once the world exists.
    fields = _slots_of(inv, ())
    if fields.get("waker") is not None:
        fields["waker"] = True
    return (_restore_inventory, (), (None, fields))


def _reduce_mappingproxy(value: Any) -> Any:
    if value is NO_INVENTORIES:
        return (_no_inventories, ())
    raise SaveError("the world holds a read-only mapping the save format does not know (an engine bug)")


def _reduce_stack_sizes(fn: StackSizes) -> Any:
    return (_restore_stack_size, ())


_DISPATCH = {
    World: _reduce_world,
    Surface: _reduce_surface,
    Entity: _reduce_entity,
    types.MappingProxyType: _reduce_mappingproxy,
    StackSizes: _reduce_stack_sizes,
    Chunk: _reduce_chunk,
    Inventory: _reduce_inventory,
    EntityIndex: _reduce_packed_slots,
    Scheduler: _reduce_packed_slots,
}


class _WorldPickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, encoder: Encoder, objects: _table.TableObjects):
        super().__init__(file, protocol=5)
        self.dispatch_table = _DISPATCH  # type: ignore[assignment]
        self._position = encoder.position
        self._objects = objects

    def reducer_override(self, obj: Any) -> Any:
        # Called for objects of classes (not for plain data): a table object met outside the table's columns is
        # an item of the list `objects` makes on load.
        at = self._position(obj)
        return NotImplemented if at is None else (operator.getitem, (self._objects, at))


def dump_world(engine: Engine, extra: dict[str, Any]) -> bytes:
    """The engine's world and game-wide state, plus `extra` (objects and data it may reference), as bytes."""
    # The collector waits for the whole save: reading columns allocates as much as pickling does.
    with no_cyclic_gc():
        table = _table.collect(engine.world)
        encoder = table.encoder
        assert encoder is not None
        encoder_token = _ENCODER.set(encoder)
        objects = _table.TableObjects(table.groups)
        root = {
            "objects": objects,  # first: the load makes the table's objects before anything refers to one
            "table": _table.written(table),
            **extra,
            "world": engine.world,
            "paths": (engine.paths._next_id, engine.paths.pending),
            "rng": engine.__dict__.get("_lua_math_random"),
            "clock": (engine.clock.tick_paused, engine.clock.ticks_to_run, engine.clock.speed),
        }
        buf = io.BytesIO()
        pickler = _WorldPickler(buf, encoder, objects)
        try:
            pickler.dump(root)
        except (pickle.PicklingError, TypeError, AttributeError) as e:  # a function or lambda in the world
            raise SaveError(f"the world could not be written: {e} (an engine bug; please report it)") from e
        finally:
            _ENCODER.reset(encoder_token)
    return buf.getvalue()


class no_cyclic_gc:
    """Pickling and unpickling allocate one container per object, and every few hundred allocations the cyclic
    collector would walk the whole heap, prototype data included: most of a save's or load's time. Nothing made
    here is garbage until the save or load ends, so the collector waits until then.

    `long_lived`: what was made (a loaded game's world, hundreds of thousands of objects) lives as long as the
    game, so on success it goes straight to the collector's oldest generation (`gc.freeze` then `gc.unfreeze`, two
    list splices), as if it had survived the young collections. Otherwise the first young collection after the load
    would walk every one of them (about 30 ms for 10,000 entities, benchmarks/save_load.py) only to promote them."""

    def __init__(self, long_lived: bool = False):
        self.long_lived = long_lived

    def __enter__(self) -> None:
        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        if self.was:
            # Not when something froze objects on purpose (unfreeze would release them too).
            if self.long_lived and exc_type is None and gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


# -- reading --------------------------------------------------------------------------------------------------


def loading_engine() -> Engine:
    """The engine a load is rebuilding the world into (only while `load_world` runs)."""
    return _LOADING.get()


def _restore_world() -> World:
    world = World.__new__(World)
    engine = _LOADING.get()
    world.engine = engine
    world.protos = engine.prototypes
    return world


def _restore_surface() -> Surface:
    return Surface.__new__(Surface)


def _restore_entity(type_: str, name: str) -> Entity:
    engine = _LOADING.get()
    proto = engine.prototypes.raw.get(type_, {}).get(name)
    if proto is None:
        raise CorruptSaveError(f"the save has an entity {name!r} of type {type_!r}, which this game's prototypes lack")
    entity = Entity.__new__(Entity)
    entity.proto = proto
    entity.kind = kind_of(type_)
    return entity


# While loading: the inventories read, whose wakers are given back once the world exists, and the chunks and
# entity indexes read, whose packed containers are unpacked once the table's objects are known.
_INVENTORIES: contextvars.ContextVar[list[Inventory]] = contextvars.ContextVar("factoryverse_inventories")
_PACKED: contextvars.ContextVar[list[Any]] = contextvars.ContextVar("factoryverse_packed")


def _restore_inventory() -> Inventory:
    inv = Inventory.__new__(Inventory)
    _INVENTORIES.get().append(inv)
    return inv


def _restore_packed(cls: type) -> Any:
    if cls not in _PACKED_SLOTS:
        raise CorruptSaveError(f"the save packs a {cls.__qualname__}, which the engine never packs")
    obj = cls.__new__(cls)
    _PACKED.get().append(obj)
    return obj


def _unpack_all(world: World, packed: list[Any], objs: list[Any]) -> None:
    for obj in packed:
        for name in _PACKED_SLOTS[type(obj)]:
            setattr(obj, name, unpack(getattr(obj, name), objs))
        if type(obj) is Chunk:
            obj.tiles = decode_list(obj.tiles, CHUNK_SIZE * CHUNK_SIZE, objs)
    for key in _WORLD_PACKED:
        world.__dict__[key] = unpack(world.__dict__[key], objs)
    for surface in world.surfaces.values():
        for key in _SURFACE_PACKED:
            surface.__dict__[key] = unpack(surface.__dict__[key], objs)


def _no_inventories() -> Any:
    return NO_INVENTORIES


def _restore_stack_size() -> Any:
    world = _LOADING.get().world_being_loaded  # type: ignore[attr-defined]
    return stack_sizes(world)


# Every class a world pickle may name: the engine's own world classes and a few builtins.
_ALLOWED_MODULES = (
    "factoryverse.engine.world.",
    "factoryverse.engine.kinds.",
    "factoryverse.engine.mechanics.",
    "factoryverse.engine.save.world_codec",
    "factoryverse.engine.save._object_table",
    "factoryverse.engine.clock",
)
_ALLOWED_BUILTINS = {("builtins", n) for n in ("getattr", "frozenset", "set", "dict", "list", "tuple", "object")} | {
    ("_operator", "getitem"),
    ("random", "Random"),
    ("copyreg", "_reconstructor"),
    ("copyreg", "__newobj__"),
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED_BUILTINS or module.startswith(_ALLOWED_MODULES):
            return super().find_class(module, name)
        raise CorruptSaveError(f"the save names {module}.{name}, which is no part of a game's world")


def load_world(engine: Engine, data: bytes) -> dict[str, Any]:
    """Rebuild the world written by `dump_world` into `engine` (its world, paths, RNG and clock)."""
    token = _LOADING.set(engine)
    inventories: list[Inventory] = []
    inventories_token = _INVENTORIES.set(inventories)
    packed: list[Any] = []
    packed_token = _PACKED.set(packed)
    try:
        # The stack-size lookup belongs to the world being read; it is made before any inventory needs it.
        holder = World.__new__(World)
        holder.protos = engine.prototypes
        engine.world_being_loaded = holder  # type: ignore[attr-defined]
        try:
            with no_cyclic_gc():
                root = _Unpickler(io.BytesIO(data)).load()
        except CorruptSaveError:
            raise
        except Exception as e:  # a damaged pickle fails in many ways; all of them mean a corrupt save
            raise CorruptSaveError(f"the save's world could not be read: {type(e).__name__}: {e}") from e
    finally:
        _LOADING.reset(token)
        _INVENTORIES.reset(inventories_token)
        _PACKED.reset(packed_token)
        engine.__dict__.pop("world_being_loaded", None)
    world: World = root["world"]
    try:
        _table.fill(engine, world, root["table"], root["objects"])
        _unpack_all(world, packed, root["objects"])
    except CorruptSaveError:
        raise
    except Exception as e:
        raise CorruptSaveError(f"the save's object table could not be read: {type(e).__name__}: {e}") from e
    wake = world.wake
    for inv in inventories:
        if inv.waker is True:
            inv.waker = wake
    world._stack_size_fn = holder._stack_size_fn if "_stack_size_fn" in holder.__dict__ else stack_sizes(world)  # type: ignore[attr-defined]
    for surface in world.surfaces.values():
        seed, settings = surface.__dict__.pop("_mapgen_args")
        surface.mapgen = MapGenerator(seed, settings=settings, prototypes=engine.prototypes)
        surface.tile_protos = engine.prototypes.tiles
        surface._tile_layers = {}
        surface.on_chunk_generated = world._populate_chunk
        surface.tick_source = world.current_tick
    next_id, pending = root["paths"]
    engine.paths._next_id = next_id
    engine.paths.pending = pending
    if root["rng"] is not None:
        engine._lua_math_random = root["rng"]  # type: ignore[attr-defined]
    engine.clock.tick_paused, engine.clock.ticks_to_run, engine.clock.speed = root["clock"]
    return root
