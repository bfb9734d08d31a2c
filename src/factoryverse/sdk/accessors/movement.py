"""The walking and mining accessors: `await walking.to(MapPosition(100, 200))`, `await mining.mine("iron-ore")`.

Both start an action in the game and return when its completion arrives (a coroutine, so awaited).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from factoryverse.sdk._args import position_arg
from factoryverse.sdk.records import StopMiningResult, StopWalkingResult
from factoryverse.sdk.types import MineResult, Position, PositionLike, WalkResult

if TYPE_CHECKING:
    from factoryverse.sdk.agent import Agent

__all__ = ["Walking", "Mining"]


class Walking:
    """Moving the agent's character.

    Example: `await walking.to(MapPosition(100, 200))`
    """

    def __init__(self, agent: Agent) -> None:
        self._agent = agent

    async def to(self, position: PositionLike, *, radius: float | None = None,
                 timeout: float | None = None) -> WalkResult:
        """Walk to `position` (within `radius` tiles, 1 by default) and return where the character stopped.

        Example: `result = await walking.to(MapPosition(10, 5), radius=2); result.position`
        """
        return await self._agent.walk_to(position_arg(position, "walking.to"), radius=radius, timeout=timeout)

    async def stop(self) -> StopWalkingResult:
        """Stop the current walk where the character stands; its walk_to then fails as cancelled.

        `stopped` says whether a walk was under way (stopping when none is, is no error).

        Example: `halt = await walking.stop(); halt.position`
        """
        return StopWalkingResult.model_validate(await self._agent.call("stop_walking"))

    async def position(self) -> Position:
        """Where the character stands now.

        Example: `here = await walking.position()`
        """
        return Position.of(await self._agent.call("get_position"))


class Mining:
    """Hand-mining resources (at most 25 units an action, as the seed's examples do).

    Example: `await mining.mine('coal', max_count=10)`
    """

    def __init__(self, agent: Agent) -> None:
        self._agent = agent

    async def mine(self, resource: str, max_count: int = 25, position: PositionLike | None = None, *,
                   timeout: float | None = None) -> MineResult:
        """Mine up to `max_count` of the nearest `resource` in reach (or the tile at `position`).

        Example: `result = await mining.mine('iron-ore', max_count=25); result.count`
        """
        at = position_arg(position, "mining.mine") if position is not None else None
        return await self._agent.mine_resource(resource, max_count, at, timeout=timeout)

    async def stop(self) -> StopMiningResult:
        """Stop the current mining; its mine then fails as cancelled. `count` is how many it had mined.

        `stopped` says whether mining was under way (stopping when it is not, is no error).

        Example: `halt = await mining.stop(); halt.count`
        """
        return StopMiningResult.model_validate(await self._agent.call("stop_mining"))
