"""The world's many small objects (every entity on a surface and each one's inventories, stacks, burner and kind
state) as per-class columns, with no Python call per object on either side.

Pickled one by one, each such object cost a reduce call, a slot dict with its keys and a BUILD on load: most of a
save's and load's time (benchmarks/save_load.py). Instead a save gives every table object a fixed pickle memo
index (0..N-1) before the pickle starts, so any reference to one anywhere in the world is a memo lookup done in C.
The file's pickle opens with a prefix (`creation_prefix`) that makes the N objects empty (`cls.__new__`, the NEWOBJ
opcode, again in C) and memoizes them in that order; the rest of the pickle then reads as usual, and the table's
columns (one list per slot and class, values again memo references or plain data) are set on the objects once the
whole pickle is read, one C-level `map` per column.

What a table leaves out: an entity's prototype and kind (rebuilt from its type and name) and an inventory's waker (its world's `wake`, given back once the world exists).
Entities are grouped per (type, name), and a column whose every value is the same object is written once (a
one-value column): most of an ore tile's or a tree's slots never change, and one memo reference per entity and slot
was most of the pickle.
"""

from __future__ import annotations

import operator
from collections import deque
from itertools import repeat
from typing import TYPE_CHECKING, Any

from factoryverse.engine.kinds import kind_of
from factoryverse.engine.world.entity import NO_INVENTORIES, Entity
from factoryverse.engine.world.inventory import Inventory, Stack

if TYPE_CHECKING:
    from factoryverse.engine.engine import Engine
    from factoryverse.engine.world.world import World

__all__ = ["Table", "collect", "creation_prefix", "fill", "UNSET"]

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

    def objects(self) -> list[Any]:
        return [o for g in self.groups for o in g[1]]


_OWNED = ("inventories", "burner", "energy", "state", "stack")


def collect(world: World) -> Table:
    """Every entity on a surface, and what each one owns, grouped by class with its columns."""
    groups: dict[Any, list[Any]] = {}
    for entity in (e for s in world.surfaces.values() for e in s.all_entities()):
        key = (entity.type, entity.name)
        found = groups.get(key)
        if found is None:
            groups[key] = [entity]
        else:
            found.append(entity)
    table = Table()
    wake = world.wake
    # Everything an entity owns, read from the entity columns (an ore tile's or tree's are one-value columns of
    # None), then grouped by class (first seen first); the id dict drops what two owners share.
    owned: list[Any] = []
    extend = owned.extend
    for objs in groups.values():
        group = _columns(Entity, objs, wake)
        table.groups.append(group)
        names, columns = group[2], group[3]
        for name in _OWNED:
            column = columns[names.index(name)]
            if name != "inventories":
                extend(column)
                continue
            for invs in column:
                if invs is not NO_INVENTORIES and invs is not UNSET:
                    for inv in invs.values():
                        owned.append(inv)
                        extend(inv.slots)
    by_class: dict[Any, list[Any]] = {}
    for obj in dict(zip(map(id, owned), owned)).values():
        cls = type(obj)
        found = by_class.get(cls)
        if found is None:
            if _table_names(cls) is None:
                continue  # None, UNSET, plain data: pickled where met
            found = by_class[cls] = []
        found.append(obj)
    table.groups.extend(_columns(cls, objs, wake) for cls, objs in by_class.items())
    return table


def _columns(cls: type, objs: list[Any], wake: Any) -> tuple[type, list[Any], tuple[str, ...], list[Any], bool]:
    names = _table_names(cls)
    assert names is not None
    sparse = False
    try:
        if len(names) == 1:
            columns = [list(map(operator.attrgetter(names[0]), objs))]
        else:
            columns = list(zip(*map(operator.attrgetter(*names), objs))) or [() for _ in names]
    except AttributeError:
        sparse = True
        columns = [[getattr(o, n, UNSET) for o in objs] for n in names]
    if cls is Inventory:
        i = names.index("waker")
        column = columns[i]
        columns[i] = (True,) if column.count(wake) == len(column) else [True if w == wake else w for w in column]
        # A fuel or source slot's filter is its item set's `__contains__`, a bound method per inventory that
        # pickle writes (and a load rebuilds) one by one: written as the shared set.
        i = names.index("accepts")
        distinct = dict(zip(map(id, columns[i]), columns[i]))
        written = {k: a.__self__ if type(a) is _METHOD and type(a.__self__) is frozenset
                   and a.__name__ == "__contains__" else a for k, a in distinct.items()}
        columns[i] = list(map(written.__getitem__, map(id, columns[i])))
    if len(objs) > 1:
        columns = [(c[0],) if _same(c) else c for c in columns]
    return (cls, objs, names, columns, sparse)


_METHOD = type(frozenset().__contains__)
_SCALARS = (float, int, str)


def _same(column: Any) -> bool:
    """Whether every value is the first one: the same object, or an equal number or string of the same type (a
    tree's health is a float per tree)."""
    first = column[0]
    if all(map(operator.is_, column, repeat(first))):
        return True
    kind = type(first)
    # Equality first: it fails at once on a column that differs (positions), the type test never does. Floats
    # compare by their exact value, so -0.0 and 0.0 stay apart.
    if kind not in _SCALARS or not all(map(operator.eq, column, repeat(first))):
        return False
    if not all(map(operator.is_, map(type, column), repeat(kind))):
        return False
    return kind is not float or all(map(operator.eq, map(float.hex, column), repeat(first.hex())))


def _short_str(s: str) -> bytes:
    b = s.encode()
    assert len(b) < 256
    return b"\x8c" + bytes([len(b)]) + b


def creation_prefix(table: Table) -> bytes:
    """Pickle opcodes (after PROTO) that make each table object empty and memoize it, in `Table.objects` order:
    per class, the class on the stack, then DUP, EMPTY_TUPLE, NEWOBJ, MEMOIZE, POP per object."""
    out = [b"\x80\x05"]
    for cls, objs, _names, _columns, _sparse in table.groups:
        if not objs:
            continue
        out.append(_short_str(cls.__module__) + _short_str(cls.__qualname__) + b"\x93")
        out.append(b"2)\x81\x940" * len(objs))
        out.append(b"0")
    return b"".join(out)


def fill(engine: Engine, world: World, table: Table) -> None:
    """Set every table object's slots from its columns, then what the table left out."""
    from factoryverse.engine.save.world_codec import CorruptSaveError

    for cls, objs, names, columns, sparse in table.groups:
        if _table_names(cls) is None:
            raise CorruptSaveError(f"the save tabulates {cls.__qualname__}, which is no plain world class")
        n = len(objs)
        # A one-value column: the same object in every row.
        columns = [c * n if len(c) == 1 else c for c in columns]
        if cls is Inventory:
            wake = world.wake
            i = names.index("waker")
            columns[i] = [wake if w is True else w for w in columns[i]]
            i = names.index("accepts")
            columns[i] = [a.__contains__ if type(a) is frozenset else a for a in columns[i]]
        for name, column in zip(names, columns):
            if len(column) != len(objs):
                raise CorruptSaveError("the save's object table is damaged")
            if sparse:
                for o, v in zip(objs, column):
                    if v is not UNSET:
                        setattr(o, name, v)
            else:
                deque(map(setattr, objs, repeat(name), column), 0)
        if cls is Entity:
            _entity_derived(engine, objs, names, columns)


def _entity_derived(engine: Engine, entities: list[Entity], names: tuple[str, ...], columns: list[Any]) -> None:
    from factoryverse.engine.save.world_codec import CorruptSaveError

    raw = engine.prototypes.raw
    found: dict[tuple[str, str], tuple[Any, Any]] = {}
    types, entity_names = (columns[names.index(n)] for n in ("type", "name"))
    keys = list(zip(types, entity_names))
    for key in dict.fromkeys(keys):
        proto = raw.get(key[0], {}).get(key[1])
        if proto is None:
            raise CorruptSaveError(f"the save has an entity {key[1]!r} of type {key[0]!r}, which this game's "
                                   "prototypes lack")
        found[key] = (proto, kind_of(key[0]))
    rows = [found[k] for k in keys]
    deque(map(setattr, entities, repeat("proto"), [r[0] for r in rows]), 0)
    deque(map(setattr, entities, repeat("kind"), [r[1] for r in rows]), 0)
