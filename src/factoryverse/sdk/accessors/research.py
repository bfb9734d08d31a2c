"""The research accessor: `await research.enqueue("automation")`, `await research.queue()`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from factoryverse.sdk.errors import GameRefusedError, ResearchRefusedError
from factoryverse.sdk.types import ActionCompleted

if TYPE_CHECKING:
    from factoryverse.sdk.agent import Agent

__all__ = ["Research", "ResearchJob", "ResearchQueue", "Technology"]


class ResearchQueue(BaseModel):
    """The force's research: the technology being researched, its progress (0..1) and what is queued.

    Example: `state = await research.queue(); state.current, state.progress`
    """

    model_config = ConfigDict(frozen=True)

    current: str | None = None
    progress: float = 0.0
    queue: list[str] = []


class Technology(BaseModel):
    """A technology of the agent's force: whether it is researched or researchable now, and its cost.

    Example: `open = [t.name for t in await research.technologies(researchable_only=True)]`
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    name: str
    researched: bool = False
    enabled: bool = True
    researchable: bool = False
    prerequisites: list[str] = []
    research_unit_count: float = 0


class ResearchJob:
    """A queued technology; `await job.wait()` returns when the game reports it researched.

    Example: `job = await research.enqueue('automation'); await job.wait(timeout=600)`
    """

    def __init__(self, agent: Agent, started: dict[str, Any]) -> None:
        self._agent = agent
        self._started = started
        self.action_id = int(started["action_id"])
        self.technology = str(started.get("technology", ""))

    async def wait(self, timeout: float | None = None) -> ActionCompleted:
        """Wait until the game reports the technology researched; ActionTimeoutError past `timeout` seconds.

        Example: `await (await research.enqueue('automation')).wait()`
        """
        return await self._agent.await_action(self._started, "enqueue_research", timeout)

    def __repr__(self) -> str:
        return f"ResearchJob({self.technology!r}, action_id={self.action_id})"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


class Research:
    """The agent's force's research.

    Example: `await research.enqueue('automation')`
    """

    def __init__(self, agent: Agent) -> None:
        self._agent = agent

    async def enqueue(self, technology: str) -> ResearchJob:
        """Add `technology` to the research queue; labs then research it.

        Example: `job = await research.enqueue('logistics')`
        """
        try:
            started = await self._agent.call("enqueue_research", technology)
        except GameRefusedError as exc:
            raise ResearchRefusedError(
                f"the game will not research {technology!r} now: {exc.detail}",
                code=exc.code, detail=exc.detail, interface=exc.interface, method=exc.method,
                traceback=exc.traceback,
            ) from exc
        return ResearchJob(self._agent, dict(started))

    async def cancel(self) -> bool:
        """Cancel the technology being researched.

        Example: `await research.cancel()`
        """
        return bool((await self._agent.call("cancel_current_research")).get("cancelled"))

    async def queue(self) -> ResearchQueue:
        """The research now: current technology, its progress and the queue.

        Example: `(await research.queue()).current`
        """
        raw = await self._agent.call("get_research_queue")
        return ResearchQueue.model_validate({**raw, "queue": _list(raw.get("queue"))})

    async def technologies(self, researchable_only: bool = False) -> list[Technology]:
        """The force's technologies (only those researchable now with researchable_only).

        Example: `techs = await research.technologies(researchable_only=True)`
        """
        out = []
        for raw in await self._agent.call("get_technologies", researchable_only) or []:
            out.append(Technology.model_validate({**raw, "prerequisites": _list(raw.get("prerequisites"))}))
        return out
