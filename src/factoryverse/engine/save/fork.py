"""When a game may be forked: not right after a command that failed, unless asked to.

A command that fails half-way (an agent's build whose second half raised) leaves the game in a state nobody chose;
a search or an RL reset that forks it would branch from that by accident. So the fork says what failed and how to
go on instead; `force` forks anyway (the state is still a consistent game: Factorio keeps what a failed command
did before its error).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from factoryverse.engine.errors import EngineError

if TYPE_CHECKING:
    from factoryverse.engine.engine import Engine

__all__ = ["ForkRefusedError", "check_fork"]


class ForkRefusedError(EngineError):
    """The game's last command failed, so it is not forked; the game is untouched."""


def check_fork(engine: Engine, force: bool) -> None:
    failure = engine.console.last_failure
    if failure is not None and not force:
        raise ForkRefusedError(
            f"the game's last command failed ({failure.splitlines()[0][:300]}), so what it left may be half done; "
            "run a command that succeeds first, or fork with force (engine.fork(force=True), `/fv-fork force`, "
            "`fv server fork --force`)"
        )
