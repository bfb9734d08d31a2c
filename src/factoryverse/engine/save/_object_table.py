"""The world's many small objects (every entity on a surface and each one's inventories, stacks, burner and kind
state) as per-class columns, with no Python call per object on either side.

Pickled one by one, each such object cost a reduce call, a slot dict with its keys and a BUILD on load: most of a
save's and load's time (benchmarks/save_load.py). Instead a save gives every table object a fixed pickle memo
index before the pickle starts, so any reference to one anywhere in the world is a memo lookup done in C. The
file's pickle opens with a prefix (`layout`) that makes the objects empty (`cls.__new__`, the NEWOBJ opcode, again
in C), memoizes them and gathers each group's objects in a list; the rest of the pickle then reads as
usual, and the table's columns (one list per slot and class, values again memo references or plain data) are set
on the objects once the whole pickle is read.

Columns are read and set by code generated per class (_slot_code.py), which the interpreter runs as direct slot
accesses: several times faster than a C call per object and slot.

What a table leaves out: an entity's prototype and kind (rebuilt from its type and name) and an inventory's waker
(its world's `wake`, given back once the world exists). Entities are grouped per (type, name), so those two columns
are known without reading them, and a column whose every value is the same object is written once (a one-value
column): most of an ore tile's or a tree's slots never change, and one memo reference per entity and slot was most
of the pickle.
"""

from __future__ import annotations

import copyreg
import functools
import io
import math
import operator
import pickle
import types
from collections import deque
from itertools import chain, compress, repeat
from typing import TYPE_CHECKING, Any

from factoryverse.engine.kinds import kind_of
from factoryverse.engine.save import _slot_code
from factoryverse.engine.world.entity import NO_INVENTORIES, Entity
from factoryverse.engine.world.inventory import Inventory, Stack

if TYPE_CHECKING:
    from factoryverse.engine.engine import Engine
    from factoryverse.engine.world.world import World

__all__ = ["Table", "collect", "layout", "fill", "UNSET"]

# Entity slots rebuilt on load from the type and name. (Layers and box stay columns: a ghost's are its inner
# entity's, not its own prototype's; they are shared objects, so each costs a memo reference.)
_ENTITY_DERIVED = ("proto", "kind")
_MODULES = ("factoryverse.engine.world.", "factoryverse.engine.kinds.", "factoryverse.engine.mechanics.")
# Classes that define their own pickling yet are plain slots underneath (a slots dataclass's get/setstate).
_PLAIN_ANYWAY = (Stack,)


class _Unset:
    """A slot never set (written so a load leaves it unset too)."""

    __slots__ = ()

    def __reduce__(self) -> str:
        return "UNSET"


UNSET = _Unset()


def _slot_names(cls: type) -> tuple[str, ...] | None:
    """The class's slots in MRO order, or None when its instances are not plain slotted objects."""
    names: list[str] = []
    for c in cls.__mro__:
        if c is object:
            continue
        if "__slots__" not in c.__dict__:
            return None
        if cls not in _PLAIN_ANYWAY and any(m in c.__dict__ for m in ("__reduce__", "__reduce_ex__", "__getstate__",
                                                                       "__setstate__")):
            return None
        slots = c.__dict__["__slots__"]
        for s in (slots,) if isinstance(slots, str) else slots:
            if s not in ("__weakref__", "__dict__") and s not in names:
                names.append(s)
    if cls is Entity:
        names = [n for n in names if n not in _ENTITY_DERIVED]
    return tuple(names)


_NAMES: dict[type, tuple[str, ...] | None] = {}


def _table_names(cls: type) -> tuple[str, ...] | None:
    try:
        return _NAMES[cls]
    except KeyError:
        names = _slot_names(cls) if cls.__module__.startswith(_MODULES) else None
        _NAMES[cls] = names
        return names


class Table:
    """Per class: its objects (the memo holds them at consecutive indices) and their slot columns."""

    __slots__ = ("groups",)

    def __init__(self) -> None:
        # (class, objects, slot names, columns, sparse): `sparse` when some slot of some object is unset (UNSET).
        self.groups: list[tuple[type, list[Any], tuple[str, ...], list[Any], bool]] = []


_VALUES = operator.methodcaller("values")
_SLOTS = operator.attrgetter("slots")


def collect(world: World) -> Table:
    """Every entity on a surface, and what each one owns, grouped by class with its columns."""
    entities = list(chain.from_iterable(surface.all_entities() for surface in world.surfaces.values()))
    groups = _slot_code.group(Entity, ("type", "name"), entities)
    table = Table()
    wake = world.wake
    # Everything an entity owns, read from the entity columns (an ore tile's or tree's are one-value columns of
    # None), per source list (each usually of one class), then per class (first seen first) without duplicates.
    sources: list[Any] = []
    for (type_, name), objs in groups.items():
        # Every entity of a group has the group's type and name: those two columns are known without reading them.
        group = _columns(Entity, objs, wake, {"type": type_, "name": name})
        table.groups.append(group)
        columns = dict(zip(group[2], group[3]))
        maps = [m for m in columns["inventories"] if m is not NO_INVENTORIES and m is not UNSET]
        if maps:
            inventories = list(chain.from_iterable(map(_VALUES, maps)))
            sources.append(inventories)
            # Empty slots are None, and a stack is never false.
            sources.append(list(filter(None, chain.from_iterable(map(_SLOTS, inventories)))))
        burner, energy = columns["burner"], columns["energy"]
        sources.append(burner)
        if energy != burner:  # a burner machine's energy source is its burner
            sources.append(energy)
        sources.append(columns["state"])
        sources.append(columns["stack"])
    by_class: dict[type, list[Any]] = {}
    for source in sources:
        classes = list(map(type, source))
        kinds = dict.fromkeys(classes)
        for cls in kinds:
            if _table_names(cls) is None:
                continue  # None, UNSET, plain data: pickled where met
            objs = source if len(kinds) == 1 else list(compress(source, map(operator.is_, classes, repeat(cls))))
            found = by_class.get(cls)
            if found is None:
                by_class[cls] = list(objs)
            else:
                found.extend(objs)
    for cls, objs in by_class.items():
        unique = _slot_code.distinct(objs)
        table.groups.append(_columns(cls, unique, wake, None))
    return table


def _columns(cls: type, objs: list[Any], wake: Any,
             known: dict[str, Any] | None) -> tuple[type, list[Any], tuple[str, ...], list[Any], bool]:
    """`known`: slots whose value every object shares, given by the caller instead of read."""
    names = _table_names(cls)
    assert names is not None
    sparse = False
    read = names if not known else tuple(n for n in names if n not in known)
    try:
        found = dict(zip(read, _slot_code.reader(cls, read)(objs)))
    except AttributeError:
        sparse = True
        found = {n: [getattr(o, n, UNSET) for o in objs] for n in read}
    columns: list[Any] = [found[n] if n in found else (known[n],) for n in names]  # type: ignore[index]
    if cls is Inventory:
        i = names.index("waker")
        column = columns[i]
        columns[i] = (True,) if column.count(wake) == len(column) else [True if w == wake else w for w in column]
        # A fuel or source slot's filter is its item set's `__contains__`, a bound method per inventory that
        # pickle writes (and a load rebuilds) one by one: written as the shared set.
        i = names.index("accepts")
        # Equal sets are written as one: every burner built its own, and a frozenset never changes.
        sets: dict[frozenset[Any], frozenset[Any]] = {}
        columns[i] = [sets.setdefault(a.__self__, a.__self__) if type(a) is _METHOD and type(a.__self__) is frozenset
                      and a.__name__ == "__contains__" else a for a in columns[i]]
    if len(objs) > 1:
        columns = [(c[0],) if len(c) > 1 and _same(c) else c for c in columns]
    return (cls, objs, names, columns, sparse)


_METHOD = type(frozenset().__contains__)
_SCALARS = (float, int, str)


def _same(column: Any) -> bool:
    """Whether every value is the first one: the same object, or an equal number or string of the same type (a
    tree's health is a float per tree)."""
    if _slot_code.one_object(column):
        return True
    first = column[0]
    kind = type(first)
    if kind not in _SCALARS:
        return False  # objects merge only when they are one object (two equal lists are two lists)
    # Counting compares numbers and strings in C, identity first: a full pass several times cheaper than a Python
    # call per value.
    if column.count(first) != len(column):
        return False
    if not all(map(operator.is_, map(type, column), repeat(kind))):
        return False  # 1, 1.0 and True are equal
    # Equal floats are one value, except 0.0 and -0.0.
    return kind is not float or first != 0.0 or all(map(operator.eq, map(math.copysign, repeat(1.0), column),
                                                         repeat(math.copysign(1.0, first))))


_NEWOBJ: dict[type, Any] = {}


def _empty_object_reducer(cls: type) -> Any:
    """A reducer that pickles any `cls` object as a new empty one (`cls.__new__(cls)`, the NEWOBJ opcode), and is
    itself a C call: getattr of a constant, with the object as the unused default."""
    found = _NEWOBJ.get(cls)
    if found is None:
        found = _NEWOBJ[cls] = functools.partial(
            getattr, types.SimpleNamespace(value=(copyreg.__newobj__, (cls,))), "value")
    return found


def layout(table: Table) -> tuple[bytes, Any]:
    """The pickle opcodes (after PROTO) that make every table object empty, gathering each group's objects in a
    list, and the pickler memo that names all of them (a `PicklerMemoProxy`).

    Both come from pickling the groups' lists as empty objects with a C-level reducer: the pickler assigns the memo
    indices and writes the opcodes that rebuild them in C, with no Python call per object. The world's pickle then
    starts from that memo, so each table object, and each group's list in the table, is one memo reference."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=2)  # explicit memo indices (BINPUT), no framing: a plain prefix
    pickler.dispatch_table = {g[0]: _empty_object_reducer(g[0]) for g in table.groups}  # type: ignore[assignment]
    pickler.dump([g[1] for g in table.groups])
    data = buf.getvalue()
    if data[:2] != b"\x80\x02" or data[-1:] != b".":
        raise AssertionError("the table's pickle does not have the expected form")
    # Without its PROTO and STOP, and the list of lists popped: the table's lists stay in the memo only.
    return data[2:-1] + b"0", pickler.memo


def fill(engine: Engine, world: World, table: Table) -> None:
    """Set every table object's slots from its columns, then what the table left out."""
    from factoryverse.engine.save.world_codec import CorruptSaveError

    wake = world.wake
    for cls, objs, names, columns, sparse in table.groups:
        if type(objs) is not list or not all(map(operator.is_, map(type, objs), repeat(cls))):
            raise CorruptSaveError("the save's object table is damaged")
        if _table_names(cls) != names:
            raise CorruptSaveError(f"the save tabulates {cls.__qualname__} with other slots than this engine's: "
                                   "it is corrupt or from another engine version")
        n = len(objs)
        if len(columns) != len(names) or any(len(c) != n and len(c) != 1 for c in columns):
            raise CorruptSaveError("the save's object table is damaged")
        if cls is Inventory:
            columns = list(columns)
            i = names.index("waker")
            columns[i] = [wake if w is True else w for w in columns[i]]
            # Per distinct value (a few item sets), not per inventory.
            i = names.index("accepts")
            column = columns[i]
            distinct = dict(zip(map(id, column), column))
            back = {k: a.__contains__ if type(a) is frozenset else a for k, a in distinct.items()}
            columns[i] = list(map(back.__getitem__, map(id, column)))
        if sparse:
            for name, column in zip(names, columns):
                for o, v in zip(objs, column * n if len(column) == 1 else column):
                    if v is not UNSET:
                        setattr(o, name, v)
        else:
            # A one-value column (length 1) holds the same object for every row.
            _slot_code.filler(cls, names, tuple(len(c) != 1 for c in columns))(objs, columns)
        if cls is Entity:
            _entity_derived(engine, objs, names, columns)


def _entity_derived(engine: Engine, entities: list[Entity], names: tuple[str, ...], columns: list[Any]) -> None:
    from factoryverse.engine.save.world_codec import CorruptSaveError

    raw = engine.prototypes.raw
    types, entity_names = (columns[names.index(n)] for n in ("type", "name"))
    if len(types) == 1 and len(entity_names) == 1:
        keys: list[tuple[str, str]] = [(types[0], entity_names[0])]
    else:
        n = len(entities)
        keys = list(zip(types * n if len(types) == 1 else types, entity_names * n if len(entity_names) == 1
                        else entity_names))
    found: dict[tuple[str, str], tuple[Any, Any]] = {}
    for key in dict.fromkeys(keys):
        proto = raw.get(key[0], {}).get(key[1])
        if proto is None:
            raise CorruptSaveError(f"the save has an entity {key[1]!r} of type {key[0]!r}, which this game's "
                                   "prototypes lack")
        found[key] = (proto, kind_of(key[0]))
    if len(keys) == 1:
        proto, kind = found[keys[0]]
        for entity in entities:
            entity.proto = proto
            entity.kind = kind
        return
    rows = [found[k] for k in keys]
    deque(map(setattr, entities, repeat("proto"), [r[0] for r in rows]), 0)
    deque(map(setattr, entities, repeat("kind"), [r[1] for r in rows]), 0)
