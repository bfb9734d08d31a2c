"""resource_patch rebuilding, kept importable here; the derived tables live in `db/derived`."""

from __future__ import annotations

from .derived import build_resource_patches

__all__ = ["build_resource_patches"]
