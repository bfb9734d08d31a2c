"""Result shapes an API implementation returns when one Lua value won't do (no imports: kinds and the Lua host both
use them)."""

from __future__ import annotations

__all__ = ["MultipleValues"]


class MultipleValues(tuple):
    """Several results of one method, returned to Lua as that many values rather than one table (LuaEntity.revive:
    the items picked up, the revived entity, the item request proxy). At most four."""

    __slots__ = ()
