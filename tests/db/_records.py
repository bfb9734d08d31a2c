"""Building schema-valid fv_snapshot records and directories for the database tests.

Every builder checks its record against wire.schema.json, so a fixture can never drift from the
format the mod writes.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

from factoryverse.schemas import load_wire_schema, validate_wire_record

__all__ = [
    "chunk", "resource_tile", "resource_entity", "water_tile", "entity", "status",
    "entity_built", "entity_removed", "entity_changed", "resource_depleted", "chunk_charted", "research",
    "research_changed", "SnapshotWriter", "ore_rect",
]

SURFACE = "nauvis"
# The run every builder stamps by default; tests of run changes pass run_id= to make another run's records.
RUN_ID = "run-a"
SCHEMA_VERSION = load_wire_schema()["schema_version"]


def _checked(rec: dict[str, Any]) -> dict[str, Any]:
    validate_wire_record(rec)
    return rec


def _base(rtype: str, run_id: str, **fields: Any) -> dict[str, Any]:
    return _checked({"type": rtype, "schema_version": SCHEMA_VERSION, "run_id": run_id, **fields})


def chunk(cx: int, cy: int, *, tick: int = 0, surface: str = SURFACE, run_id: str = RUN_ID) -> dict[str, Any]:
    return _base("chunk", run_id, surface=surface, cx=cx, cy=cy, tick=tick)


def resource_tile(x: int, y: int, amount: int, *, name: str = "iron-ore", surface: str = SURFACE, run_id: str = RUN_ID) -> dict[str, Any]:
    return _base("resource_tile", run_id, surface=surface, name=name, x=x, y=y, amount=amount)


def water_tile(x: int, y: int, *, name: str = "water", surface: str = SURFACE, run_id: str = RUN_ID) -> dict[str, Any]:
    return _base("water_tile", run_id, surface=surface, name=name, x=x, y=y)


def resource_entity(name: str, x: float, y: float, *, entity_type: str = "tree", half: float = 0.4,
                    surface: str = SURFACE, run_id: str = RUN_ID) -> dict[str, Any]:
    return _base("resource_entity", run_id, surface=surface, name=name, entity_type=entity_type, x=x, y=y,
                 bbox=[x - half, y - half, x + half, y + half])


def entity(unit_number: int, name: str, x: float, y: float, *, entity_type: str = "container",
           direction: int = 0, force: str = "player", half: float = 0.5, surface: str = SURFACE, run_id: str = RUN_ID,
           **components: Any) -> dict[str, Any]:
    """An entity record; `components` are the record's optional fields (status, inserter, inventories, ...)."""
    return _base("entity", run_id, surface=surface, unit_number=unit_number, name=name, entity_type=entity_type,
                 x=x, y=y, direction=direction, force=force, bbox=[x - half, y - half, x + half, y + half], **components)


def status(seq: int, *, tick: int = 0, chunks: int = 0, phase: str = "complete", run_id: str = RUN_ID) -> dict[str, Any]:
    return _base("snapshot_status", run_id, phase=phase, tick=tick, seq=seq, chunks=chunks)


def entity_built(seq: int, ent: dict[str, Any], *, tick: int = 0, event: str = "on_built_entity", run_id: str = RUN_ID) -> dict[str, Any]:
    return _base("entity_built", run_id, seq=seq, tick=tick, event=event, entity=ent)


def entity_removed(seq: int, ent: dict[str, Any], *, tick: int = 0, event: str = "on_player_mined_entity", run_id: str = RUN_ID) -> dict[str, Any]:
    return _base("entity_removed", run_id, seq=seq, tick=tick, event=event, surface=ent["surface"],
                 unit_number=ent.get("unit_number", 0), name=ent["name"], x=ent["x"], y=ent["y"])


def entity_changed(seq: int, ent: dict[str, Any], *, tick: int = 0, cause: str = "sampled", run_id: str = RUN_ID) -> dict[str, Any]:
    return _base("entity_changed", run_id, seq=seq, tick=tick, cause=cause, entity=ent)


def research(force: str = "player", *, tick: int = 0, run_id: str = RUN_ID, **fields: Any) -> dict[str, Any]:
    """A research record: progress defaults to 0; current, queue, researched as given."""
    return _base("research", run_id, tick=tick, force=force, **{"progress": 0, **fields})


def research_changed(seq: int, rec: dict[str, Any], *, tick: int = 0, event: str = "on_research_finished",
                     run_id: str = RUN_ID) -> dict[str, Any]:
    return _base("research_changed", run_id, seq=seq, tick=tick, event=event, research=rec)


def resource_depleted(seq: int, x: int, y: int, *, name: str = "iron-ore", tick: int = 0,
                      surface: str = SURFACE, run_id: str = RUN_ID) -> dict[str, Any]:
    return _base("resource_depleted", run_id, seq=seq, tick=tick, surface=surface, name=name, x=x, y=y)


def chunk_charted(seq: int, cx: int, cy: int, *, tick: int = 0, surface: str = SURFACE, run_id: str = RUN_ID) -> dict[str, Any]:
    return _base("chunk_charted", run_id, seq=seq, tick=tick, surface=surface, cx=cx, cy=cy)


def ore_rect(x0: int, y0: int, w: int, h: int, *, amount: int = 100, name: str = "iron-ore") -> list[dict[str, Any]]:
    """A w x h block of tiles, each holding `amount`."""
    return [resource_tile(x, y, amount, name=name) for y in range(y0, y0 + h) for x in range(x0, x0 + w)]


_FILE_OF = {"chunk": "chunk", "resource_tile": "resources", "water_tile": "water",
            "resource_entity": "entities", "entity": "entities"}


class SnapshotWriter:
    """Lays records out the way fv_snapshot does: per-chunk init files, update logs, status.jsonl."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def chunk_dir(self, cx: int, cy: int, surface: str = SURFACE) -> Path:
        return self.root / surface / "chunks" / str(cx) / str(cy)

    def write_init(self, records: list[dict[str, Any]], *, tick: int = 0,
                   run_id: str = RUN_ID) -> set[tuple[str, int, int]]:
        """Write init files for every chunk the records fall in (plus its chunk record); return the chunks."""
        by_file: dict[tuple[str, int, int], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for rec in records:
            if rec["type"] == "chunk":
                key = (rec["surface"], rec["cx"], rec["cy"])
            else:
                key = (rec["surface"], math.floor(rec["x"] / 32), math.floor(rec["y"] / 32))
            by_file[key][_FILE_OF[rec["type"]]].append(json.dumps(rec))
        for (surface, cx, cy), kinds in by_file.items():
            if "chunk" not in kinds:
                kinds["chunk"].append(json.dumps(chunk(cx, cy, tick=tick, surface=surface, run_id=run_id)))
            folder = self.chunk_dir(cx, cy, surface)
            folder.mkdir(parents=True, exist_ok=True)
            for kind in ("chunk", "resources", "entities", "water"):
                (folder / f"{kind}-init.jsonl").write_text("".join(line + "\n" for line in kinds.get(kind, [])))
        return set(by_file)

    def write_status(self, seq: int, *, tick: int = 0, chunks: int = 0, phase: str = "complete",
                     run_id: str = RUN_ID) -> dict[str, Any]:
        rec = status(seq, tick=tick, chunks=chunks, phase=phase, run_id=run_id)
        with (self.root / "status.jsonl").open("a") as f:
            f.write(json.dumps(rec) + "\n")
        return rec

    def write_research(self, records: list[dict[str, Any]]) -> None:
        (self.root / "research.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))

    def append_update(self, rec: dict[str, Any], surface: str = SURFACE) -> dict[str, Any]:
        path = self.root / surface / "updates.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as f:
            f.write(json.dumps(rec) + "\n")
        return rec
