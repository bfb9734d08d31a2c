"""Engine object ids: one counter, so identity and iteration order never depend on Python's id() or hashing."""

from __future__ import annotations

import itertools

__all__ = ["next_oid"]

_counter = itertools.count(1)


def next_oid() -> int:
    return next(_counter)
