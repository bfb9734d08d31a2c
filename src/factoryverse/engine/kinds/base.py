"""The Kind base class: what an entity of one prototype `type` has and does, declared in one place.

A kind gives its entities their inventories and energy source (`attach`), routes `LuaEntity.insert` and what
drills drop into them (`insert_order`), names their main and output inventories, updates them at the ticks the
world's scheduler wakes them (`update`), says what mining them gives, and answers its own LuaEntity members
(`getters`, `setters`, `methods`: Lua-facing functions taking the calling LuaState and the entity). The API
(api/entity.py) dispatches those members to the entity's kind and answers the game's own message (or documented
default) for a kind that doesn't have them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, ClassVar

from factoryverse.engine.world.inventory import Inventory, stack_sizes

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["Kind", "mined_products", "new_inventory"]


def mined_products(proto: dict[str, Any]) -> list[tuple[str, int]]:
    """What mining an entity once yields, from its prototype's `minable` (result/count or results)."""
    minable = proto.get("minable") or {}
    if minable.get("results"):
        return [(r["name"], int(r.get("amount", r.get("amount_min", 1)))) for r in minable["results"]]
    if minable.get("result"):
        return [(minable["result"], int(minable.get("count", 1)))]
    return []


def new_inventory(world: World, entity: Entity, index: str, size: int, accepts: Callable[[str], bool] | None = None) -> Inventory:
    """An inventory of `entity` (keyed by its defines.inventory name), created in the entity's inventory table."""
    if not isinstance(entity.inventories, dict):
        entity.inventories = {}
    inv = Inventory(size, stack_sizes(world), owner=entity, index=index, accepts=accepts, oid=world.oids())
    entity.inventories[index] = inv
    return inv


class Kind:
    """A kind with no behaviour: placed, found, mined and destroyed, nothing more (every type without its own)."""

    types: ClassVar[tuple[str, ...]] = ()
    # Whether the game gives its entities a unit_number (resources, trees, rocks and items on the ground have none).
    unit_number: ClassVar[bool] = True
    # Placed at any position; everything else snaps to the tile grid.
    grid_free: ClassVar[bool] = False
    # create_entity's force when none is given: the API documents "enemy"; resources belong to "neutral".
    default_force: ClassVar[str] = "enemy"
    # The surface keeps its entities by tile in `resources_at` (resources: drills look up what lies under them).
    tile_indexed: ClassVar[bool] = False
    # create_entity takes an `amount` (resources) / requires a `stack` (items on the ground).
    has_amount: ClassVar[bool] = False
    needs_stack: ClassVar[bool] = False
    # create_entity / can_place_entity read more than a name for this kind (ghosts: `inner_name`) and call
    # `create_from` / `can_place_from` instead of placing the prototype itself.
    own_placement: ClassVar[bool] = False
    # Inventories LuaEntity.insert (and a drill or inserter dropping into the entity) fills, in this order; the
    # fuel slot of a burner comes first, as with inserters.
    insert_order: ClassVar[tuple[str, ...]] = ()
    # Whether a drill's output lands in this entity when it stands at the drop position.
    takes_drops: ClassVar[bool] = False
    main_inventory_name: ClassVar[str | None] = None
    output_inventory_name: ClassVar[str | None] = None
    # Whether the world's scheduler updates its entities (machines).
    scheduled: ClassVar[bool] = False
    # Type-specific LuaEntity members: member name -> fn(state, entity[, value | *args]).
    getters: ClassVar[dict[str, Callable[..., Any]]] = {}
    setters: ClassVar[dict[str, Callable[..., Any]]] = {}
    methods: ClassVar[dict[str, Callable[..., Any]]] = {}

    # -- life -------------------------------------------------------------------------------------------------

    def attach(self, world: World, entity: Entity) -> None:
        """Give a new entity its inventories, energy source and state."""

    def configure(self, world: World, entity: Entity, params: dict[str, Any]) -> None:
        """create_entity's type-specific parameters (an underground belt's `type`), once the entity is placed."""

    def create_from(self, world: World, surface: Any, params: dict[str, Any], x: float, y: float, direction: int,
                    force: Any) -> Entity:
        """create_entity of an `own_placement` kind, from all its parameters."""
        raise NotImplementedError

    def can_place_from(self, world: World, surface: Any, params: dict[str, Any], x: float, y: float,
                       direction: int) -> bool:
        """can_place_entity of an `own_placement` kind, from all its parameters."""
        raise NotImplementedError

    def update(self, world: World, entity: Entity, tick: int) -> None:
        """A scheduled update at `tick` (only for `scheduled` kinds); must end in world.schedule or world.sleep."""
        world.sleep(entity)

    def moved(self, world: World, entity: Entity) -> None:
        """The entity was teleported or turned: whatever depends on where it stands or faces looks again."""

    def destroyed(self, world: World, entity: Entity) -> None:
        """The entity is gone: its inventories and energy source become invalid, and whoever waited on them is woken
        (a drill waiting to drop into this chest looks for another target)."""
        for inv in entity.inventories.values():
            inv.valid = False
            inv.notify()
        if entity.energy is not None:
            entity.energy.invalidate()

    # -- items ------------------------------------------------------------------------------------------------

    def insert(self, world: World, entity: Entity, name: str, count: int) -> int:
        """Insert as an inserter or shift-click would: each inventory of `insert_order` in turn."""
        left = count
        for index in self.insert_order:
            inv = entity.inventories.get(index)
            if inv is not None and left:
                left -= inv.insert(name, left)
        return count - left

    # -- items at a position: what drills and inserters use ------------------------------------------------------
    # A drill or inserter dropping onto this entity calls `put_at`; an inserter picking up from it `take_at`; one
    # that can't go on (the target full, nothing to take) calls `watch` and sleeps until `world.wake(waiter)`, then
    # `unwatch`. Inventory kinds get these from their inventories; belts answer by lane and position.

    def put_at(self, world: World, entity: Entity, x: float, y: float, name: str, count: int, giver: Entity) -> int:
        """Put up to `count` of `name` into this entity as a drill or inserter at (x, y) would; how many went in."""
        return self.insert(world, entity, name, count)

    def can_put_at(self, world: World, entity: Entity, x: float, y: float, name: str, giver: Entity) -> bool:
        """Whether `put_at` would take one `name` now, moving nothing: an inserter picks up only what its drop target
        takes. By default an inventory of `insert_order` has room; a kind without one (a belt) takes what arrives."""
        if not self.insert_order:
            return True
        return any(inv.can_insert(name, 1) > 0 for i in self.insert_order if (inv := entity.inventories.get(i)) is not None)

    def take_at(
        self, world: World, entity: Entity, x: float, y: float, limit: int, accepts: Callable[[str], bool], taker: Entity
    ) -> tuple[str, int] | None:
        """Take up to `limit` items of one name that `accepts` allows, as an inserter at (x, y) would: from the
        output inventory (a chest's only one). Returns (name, count) taken, or None."""
        inv = self.output_inventory(entity)
        if inv is None:
            return None
        for stack in reversed(inv.slots):  # the game's inserters take from the last slots first
            if stack is not None and accepts(stack.name):
                name = stack.name
                # A hand fills from every stack of that item, not just the last one (a bulk hand of 12 from stacks
                # of 100 is full every swing, as the wiki's chest-to-chest throughput assumes).
                return (name, inv.remove(name, limit))
        return None

    def watch(self, world: World, entity: Entity, waiter: Entity) -> None:
        """Wake `waiter` (world.wake) whenever what it could take from or put into this entity changes."""
        for inv in entity.inventories.values():
            inv.subscribe(waiter, world.wake)

    def watch_take(self, world: World, entity: Entity, waiter: Entity, x: float, y: float) -> None:
        """`watch` for a waiter that only takes from this entity at (x, y): a kind may wake it only when what it
        could take there changes (belts: an item coming onto or leaving the lane stretch under (x, y))."""
        self.watch(world, entity, waiter)

    def unwatch(self, world: World, entity: Entity, waiter: Entity) -> None:
        for inv in entity.inventories.values():
            inv.unsubscribe(waiter)

    def main_inventory(self, entity: Entity) -> Inventory | None:
        return entity.inventories.get(self.main_inventory_name) if self.main_inventory_name else None

    def output_inventory(self, entity: Entity) -> Inventory | None:
        return entity.inventories.get(self.output_inventory_name) if self.output_inventory_name else None

    def mined_items(self, entity: Entity) -> list[tuple[str, int]]:
        """What `LuaEntity.mine` hands over: the entity's item(s), and everything it holds, as a player picks it up."""
        items = mined_products(entity.proto)
        for inv in entity.inventories.values():
            items.extend(inv.contents().items())
        return items

    def mine(self, world: World, entity: Entity, raise_destroyed: bool) -> None:
        """Remove the mined entity (resources lose one unit instead)."""
        if raise_destroyed:
            world.engine.events.raise_event("script_raised_destroy", {"entity": entity})
        world.destroy_entity(entity)

    # -- reading ----------------------------------------------------------------------------------------------

    def status(self, world: World, entity: Entity) -> str | None:
        """`LuaEntity.status` as a defines.entity_status name, or None for entities without one."""
        return None
