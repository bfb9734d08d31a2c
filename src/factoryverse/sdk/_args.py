"""Arguments checked where a caller passes them, so a refusal names the method and the parameter at fault.

`Position.of("10,5")` can only say the value is not a position; an agent that wrote `walking.to("10,5")` needs
to be told which call and which argument to fix, before anything reaches the game.
"""

from __future__ import annotations

from typing import Any

from factoryverse.sdk.errors import InvalidArgumentError
from factoryverse.sdk.types import Position, _problem

__all__ = ["position_arg"]


def position_arg(value: Any, method: str, param: str = "position") -> Position:
    """`value` as a Position, or InvalidArgumentError naming `method` and `param`.

    Coordinates are numbers only: a string ("1") or a bool is refused, as the game refuses them.
    """
    try:
        return Position.of(value)
    except InvalidArgumentError as exc:
        raise InvalidArgumentError(
            f"{method}: {param}={value!r} is not a position; pass MapPosition(x, y), an (x, y) pair "
            f"or {{'x': .., 'y': ..}} of numbers ({_problem(exc)})",
            method=method,
        ) from exc
