"""Storage tanks: one big fluid box (`fluid_box.volume`, 25,000 for the base tank) with connections on two
corners; it pools with the pipes it joins like any other box (mechanics/fluids.py)."""

from __future__ import annotations

from typing import ClassVar

from factoryverse.engine.kinds.pipe import PipeKind

__all__ = ["StorageTankKind"]


class StorageTankKind(PipeKind):
    types: ClassVar[tuple[str, ...]] = ("storage-tank",)
