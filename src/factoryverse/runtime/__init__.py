"""The code-as-action runtime: a Python process bound to one agent, taking programs and giving back their output.

    async with AgentRuntime.for_server(0) as runtime:          # a new agent on server 0
        result = await runtime.run("await agent.walk_to(5, 5)\\nprint(await agent.inventory())", timeout=30)
        print(result.stdout, result.error)

Programs run in a Jupyter kernel (ipykernel) of their own, with top-level await; variables persist between
programs; a program past its time limit is stopped and the runtime goes on; output past the limit is cut and
labelled; errors, the game's included, come back as text. `fv agent` is the same runtime at a terminal.
"""

from factoryverse.runtime._errors import (
    AgentRuntimeError,
    ProgramArgumentError,
    RuntimeClosedError,
    RuntimeStartError,
)
from typing import TYPE_CHECKING, Any

from factoryverse.runtime._limits import DEFAULT_TIMEOUT, INTERRUPT_GRACE
from factoryverse.runtime._result import DEFAULT_MAX_OUTPUT, RunResult

if TYPE_CHECKING:
    from factoryverse.runtime._kernel import AgentRuntime

__all__ = [
    "AgentRuntime",
    "RunResult",
    "AgentRuntimeError",
    "RuntimeStartError",
    "RuntimeClosedError",
    "ProgramArgumentError",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_OUTPUT",
    "INTERRUPT_GRACE",
]


def __getattr__(name: str) -> Any:
    # AgentRuntime brings jupyter_client (about 0.3 s): loaded when first used, not by every `fv` command.
    if name == "AgentRuntime":
        from factoryverse.runtime._kernel import AgentRuntime

        return AgentRuntime
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
