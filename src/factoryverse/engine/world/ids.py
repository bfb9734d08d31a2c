"""Engine object ids, one counter per game (issue 7, point 6).

Identity and iteration order never depend on Python's id() or hashing, and since the counter belongs to the game
(created with its world, saved and restored with it), the same game numbers its objects alike in every process:
`tostring(entity)` reads the same in two engines built the same way, and after a save and load. Objects that are
not part of the world (the API handles `game`, `script`, `remote`, ...) are named by strings instead, so making a
Lua state never moves the counter.
"""

from __future__ import annotations

__all__ = ["Oids"]


class Oids:
    """The next object id of one game: call it for a new id."""

    __slots__ = ("last",)

    def __init__(self, last: int = 0):
        self.last = last

    def __call__(self) -> int:
        self.last += 1
        return self.last

    def __repr__(self) -> str:
        return f"<Oids last={self.last}>"
