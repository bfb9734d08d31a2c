"""Inventories: fixed numbers of slots holding item stacks, filled and emptied as Factorio does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable


if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity

__all__ = ["Inventory", "item_filter", "Stack", "stack_sizes", "apply_inventory_type", "FUEL", "CHEST", "CRAFTER_INPUT", "CRAFTER_OUTPUT", "CHARACTER_MAIN"]

# Inventories are keyed by their defines.inventory name; LuaEntity.get_inventory maps a define's value to its name.
FUEL = "fuel"
CHEST = "chest"
CRAFTER_INPUT = "crafter_input"
CRAFTER_OUTPUT = "crafter_output"
CHARACTER_MAIN = "character_main"


@dataclass(slots=True)
class Stack:
    name: str
    count: int


_FILTERS: dict[frozenset[str], Callable[[str], bool]] = {}


def item_filter(items: Iterable[str]) -> Callable[[str], bool]:
    """An inventory's `accepts` for these item names: one shared bound `__contains__` per set of names, never a
    closure (the world is saved as data, engine/save/world_codec.py, and every fuel slot of one category then holds
    the same object, which a save writes once)."""
    names = frozenset(items)
    found = _FILTERS.get(names)
    if found is None:
        found = _FILTERS[names] = names.__contains__
    return found


class Inventory:
    """Slots of stacks. `accepts` limits which items may enter (a furnace's source slot, a fuel slot).

    Every change notifies every subscriber (entities waiting on this inventory: its owner's machine, a drill whose
    output is full), in the order they subscribed, through `waker`: blocked machines sleep until then.

    `bar` (chests): how many slots, from the first, insertion may fill; None where the inventory has no bar.
    `filters` (the character's main inventory): per slot the one item it takes, or None; None where the inventory
    has no filters. Both limit only what goes in: taking out and reading ignore them, as in the game.
    """

    lua_class = "LuaInventory"
    __slots__ = (
        "oid", "owner", "index", "slots", "stack_size", "accepts", "subscribers", "waker", "valid", "bar", "filters",
    )

    def __init__(
        self,
        size: int,
        stack_size: Callable[[str], int],
        *,
        owner: Entity | None = None,
        index: str = "",
        accepts: Callable[[str], bool] | None = None,
        oid: int,
    ):
        self.oid = oid
        self.owner = owner
        self.index = index
        self.slots: list[Stack | None] = [None] * size
        self.stack_size = stack_size
        self.accepts = accepts
        self.subscribers: dict[int, Entity] = {}
        self.waker: Callable[[Entity], None] | None = None
        self.valid = True
        self.bar: int | None = None
        self.filters: list[str | None] | None = None

    # -- bar and filters ----------------------------------------------------------------------------------------

    def enable_bar(self) -> None:
        """Give the inventory a bar, open over every slot (a chest's)."""
        self.bar = len(self.slots)

    def enable_filters(self) -> None:
        """Give the inventory per-slot filters, none set (the character's main inventory)."""
        self.filters = [None] * len(self.slots)

    def set_bar(self, open_slots: int) -> None:
        """Leave the first `open_slots` slots open to insertion (clamped to the size)."""
        self.bar = max(0, min(open_slots, len(self.slots)))
        self.notify()  # a drill waiting for room may have some now

    def can_set_filter(self, i: int, name: str | None) -> bool:
        """Whether slot `i` (0-based) may be filtered to `name`: the inventory has filters and the slot holds
        nothing else."""
        if self.filters is None:
            return False
        s = self.slots[i]
        return name is None or s is None or s.name == name

    def set_filter(self, i: int, name: str | None) -> bool:
        if not self.can_set_filter(i, name):
            return False
        self.filters[i] = name  # type: ignore[index]
        self.notify()
        return True

    def _open(self) -> int:
        return len(self.slots) if self.bar is None else self.bar

    def _takes(self, i: int, name: str) -> bool:
        """Whether the empty slot `i` may receive `name`."""
        f = self.filters
        return f is None or f[i] is None or f[i] == name

    def _limited(self) -> bool:
        return self.filters is not None or (self.bar is not None and self.bar < len(self.slots))

    def subscribe(self, entity: Entity, waker: Callable[[Entity], None]) -> None:
        self.subscribers[entity.oid] = entity
        self.waker = waker

    def unsubscribe(self, entity: Entity) -> None:
        self.subscribers.pop(entity.oid, None)

    def notify(self) -> None:
        if self.subscribers:
            wake = self.waker
            for entity in list(self.subscribers.values()):
                wake(entity)  # type: ignore[misc]

    def __len__(self) -> int:
        return len(self.slots)

    def count(self, name: str | None = None) -> int:
        return sum(s.count for s in self.slots if s is not None and (name is None or s.name == name))

    def contents(self) -> dict[str, int]:
        """Item name -> count, in slot order of first appearance."""
        out: dict[str, int] = {}
        for s in self.slots:
            if s is not None:
                out[s.name] = out.get(s.name, 0) + s.count
        return out

    def is_empty(self) -> bool:
        return all(s is None for s in self.slots)

    def can_insert(self, name: str, count: int = 1) -> int:
        """How many of `count` would fit."""
        if self.accepts is not None and not self.accepts(name):
            return 0
        room = 0
        size = self.stack_size(name)
        limited = self._limited()
        for i, s in enumerate(self.slots[:self._open()] if limited else self.slots):
            if s is None:
                if not limited or self._takes(i, name):
                    room += size
            elif s.name == name:
                room += size - s.count
            if room >= count:
                return count
        return room

    def insert(self, name: str, count: int) -> int:
        """Insert up to `count`; returns how many went in. Fills existing stacks first, then empty slots (those
        filtered for the item before unfiltered ones), within the bar."""
        if count <= 0 or (self.accepts is not None and not self.accepts(name)):
            return 0
        if self._limited():
            return self._insert_limited(name, count)
        size = self.stack_size(name)
        left = count
        for s in self.slots:
            if s is not None and s.name == name and s.count < size:
                n = min(size - s.count, left)
                s.count += n
                left -= n
                if not left:
                    break
        if left:
            for i, s in enumerate(self.slots):
                if s is None:
                    n = min(size, left)
                    self.slots[i] = Stack(name, n)
                    left -= n
                    if not left:
                        break
        inserted = count - left
        if inserted and self.subscribers:
            self.notify()
        return inserted

    def _insert_limited(self, name: str, count: int) -> int:
        size = self.stack_size(name)
        open_ = self._open()
        slots = self.slots
        filters = self.filters or [None] * len(slots)
        left = count
        for i in range(open_):
            s = slots[i]
            if s is not None and s.name == name and s.count < size:
                n = min(size - s.count, left)
                s.count += n
                left -= n
                if not left:
                    break
        for wanted in (name, None):
            for i in range(open_):
                if not left:
                    break
                if slots[i] is None and filters[i] == wanted:
                    n = min(size, left)
                    slots[i] = Stack(name, n)
                    left -= n
        inserted = count - left
        if inserted and self.subscribers:
            self.notify()
        return inserted

    def count_empty(self, include_filtered: bool = False, include_bar: bool = True) -> int:
        end = len(self.slots) if include_bar else self._open()
        f = self.filters
        return sum(1 for i in range(end)
                   if self.slots[i] is None and (include_filtered or f is None or f[i] is None))

    def scratch_copy(self) -> Inventory:
        """A copy that never reaches Lua (oid 0 names no object): for trying inserts without changing anything."""
        trial = Inventory(len(self.slots), self.stack_size, accepts=self.accepts, oid=0)
        trial.slots = [None if s is None else Stack(s.name, s.count) for s in self.slots]
        trial.bar = self.bar
        trial.filters = None if self.filters is None else list(self.filters)
        return trial

    def remove(self, name: str, count: int) -> int:
        """Remove up to `count`, from the last slots first; returns how many came out."""
        left = count
        for i in range(len(self.slots) - 1, -1, -1):
            s = self.slots[i]
            if s is not None and s.name == name:
                n = min(s.count, left)
                s.count -= n
                left -= n
                if s.count == 0:
                    self.slots[i] = None
                if not left:
                    break
        removed = count - left
        if removed and self.subscribers:
            self.notify()
        return removed

    def first(self) -> Stack | None:
        for s in self.slots:
            if s is not None:
                return s
        return None

    def clear(self) -> None:
        self.slots = [None] * len(self.slots)
        self.notify()


def apply_inventory_type(inv: Inventory, inventory_type: str | None) -> Inventory:
    """A container's bar and filters from its prototype's `inventory_type` (default "with_bar"; "normal" has
    neither, "with_filters_and_bar" both)."""
    kind = inventory_type or "with_bar"
    if kind in ("with_bar", "with_filters_and_bar"):
        inv.enable_bar()
    if kind == "with_filters_and_bar":
        inv.enable_filters()
    return inv


def stack_sizes(world: Any) -> Callable[[str], int]:
    """The item -> stack_size lookup every inventory of `world` shares (one function, not one per inventory)."""
    fn = getattr(world, "_stack_size_fn", None)
    if fn is None:
        fn = world._stack_size_fn = StackSizes(world.protos.items)
    return fn


class StackSizes:
    """item -> stack_size. A class, not a closure, so a save can name it (engine/save/world_codec.py)."""

    __slots__ = ("items",)

    def __init__(self, items: dict[str, dict[str, Any]]):
        self.items = items

    def __call__(self, name: str) -> int:
        return int(self.items[name].get("stack_size", 1))
