"""The crafting accessor: `await crafting.craft("iron-gear-wheel", count=10)` waits until they are made;
`await crafting.enqueue(...)` returns once queued, with a job to await later."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from factoryverse.sdk.errors import CraftRefusedError, GameRefusedError, InvalidArgumentError
from factoryverse.sdk.types import ActionCompleted

if TYPE_CHECKING:
    from factoryverse.sdk.agent import Agent

__all__ = ["Crafting", "CraftJob", "CraftingQueue", "QueueEntry", "Recipe", "Ingredient"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class QueueEntry(_Model):
    """One entry of the crafting queue: `count` crafts of `recipe` (a prerequisite the game queued itself).

    Example: `[(e.recipe, e.count) for e in (await crafting.queue()).entries]`
    """

    recipe: str
    count: int
    prerequisite: bool = False


class CraftingQueue(_Model):
    """The character's crafting queue: entries in order, `progress` (0..1) of the first.

    Example: `queue = await crafting.queue(); queue.size, queue.progress`
    """

    entries: list[QueueEntry] = []
    progress: float = 0.0
    size: int = 0


class Ingredient(_Model):
    """An ingredient or product of a recipe: item (or fluid) name and amount.

    Example: `[(i.name, i.amount) for i in recipe.ingredients]`
    """

    name: str
    amount: float
    type: str = "item"


class Recipe(_Model):
    """A recipe of the agent's force: its energy (seconds at speed 1), ingredients and products.

    Example: `gears = [r for r in await crafting.recipes() if r.name == 'iron-gear-wheel']`
    """

    name: str
    craftable: bool = False
    energy: float = 0.0
    ingredients: list[Ingredient] = []
    products: list[Ingredient] = []


class CraftJob:
    """A queued hand-craft; `await job.wait()` returns when the game reports it done.

    Example: `job = await crafting.enqueue('iron-gear-wheel', count=5); done = await job.wait()`
    """

    def __init__(self, agent: Agent, started: dict[str, Any]) -> None:
        self._agent = agent
        self._started = started
        self.action_id = int(started["action_id"])
        self.recipe = str(started.get("recipe", ""))
        self.count = int(started.get("count", 0))

    async def wait(self, timeout: float | None = None) -> ActionCompleted:
        """Wait until the game reports the queued crafts done; ActionTimeoutError past `timeout` seconds.

        Example: `done = await (await crafting.enqueue('wooden-chest')).wait(timeout=30)`
        """
        return await self._agent.await_action(self._started, "craft_enqueue", timeout)

    def __repr__(self) -> str:
        return f"CraftJob({self.recipe!r}, count={self.count}, action_id={self.action_id})"


def _refused(exc: GameRefusedError, recipe: str) -> CraftRefusedError:
    return CraftRefusedError(
        f"the game will not hand-craft {recipe!r}: {exc.detail}. Smelting recipes are made in a furnace "
        "(furnace.add_ingredients); other recipes may need a crafting machine",
        code=exc.code, detail=exc.detail, interface=exc.interface, method=exc.method, traceback=exc.traceback,
    )


def _count(count: Any) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise InvalidArgumentError(f"crafting: count must be a whole number of at least 1, not {count!r}")
    return count


class Crafting:
    """Hand-crafting with the character's own queue.

    Example: `await crafting.craft('iron-gear-wheel', count=10)`
    """

    def __init__(self, agent: Agent) -> None:
        self._agent = agent

    async def enqueue(self, recipe: str, count: int = 1) -> CraftJob:
        """Queue `count` crafts of `recipe` (ingredients leave the inventory now); returns the job.

        Example: `job = await crafting.enqueue('stone-furnace', count=2)`
        """
        try:
            started = await self._agent.call("craft_enqueue", recipe, _count(count))
        except GameRefusedError as exc:
            raise _refused(exc, recipe) from exc
        return CraftJob(self._agent, dict(started))

    async def craft(self, recipe: str, count: int = 1, *, timeout: float | None = None) -> ActionCompleted:
        """Craft `count` of `recipe` and return when they are in the inventory.

        Example: `await crafting.craft('iron-gear-wheel', count=10)`
        """
        return await (await self.enqueue(recipe, count)).wait(timeout)

    async def dequeue(self, recipe: str, count: int | None = None) -> int:
        """Cancel up to `count` queued crafts of `recipe` (all when None); returns how many were cancelled.

        Example: `cancelled = await crafting.dequeue('stone-furnace')`
        """
        raw = await self._agent.call("craft_dequeue", recipe, None if count is None else _count(count))
        return int(raw.get("cancelled", 0))

    async def queue(self) -> CraftingQueue:
        """The crafting queue now.

        Example: `queue = await crafting.queue(); [e.recipe for e in queue.entries]`
        """
        raw = await self._agent.call("get_crafting_queue")
        return CraftingQueue.model_validate({**raw, "entries": raw.get("entries") or []})

    async def recipes(self, craftable_only: bool = False) -> list[Recipe]:
        """The force's enabled recipes (only those the inventory can make now with craftable_only).

        Example: `names = [r.name for r in await crafting.recipes(craftable_only=True)]`
        """
        return [Recipe.model_validate(r) for r in await self._agent.call("get_recipes", craftable_only) or []]
