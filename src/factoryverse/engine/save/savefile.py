"""The save file: a versioned header and the game, written atomically.

Layout: the magic line `FVSAVE\\n`, the header's length (4 bytes, little-endian) and the header (JSON: save schema
version, Factorio version, engine version, mods and their versions, tick, run id, seed, the body's length and
blake2b digest), then the body (the world pickle, engine/save/world_codec.py, which also holds every mod's
`storage`; uncompressed since schema 3: zlib's fastest level cost a third of a save's time for a file 4 times
smaller, benchmarks/save_load.py). A truncated or altered file fails the digest and is refused before anything is rebuilt.

Writing goes to `<name>.fvsave.tmp`, is flushed and fsynced, then renamed over `<name>.fvsave` and the folder
fsynced: a process killed at any point leaves the previous save whole (the rename is atomic on POSIX).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from factoryverse.engine.save.world_codec import CorruptSaveError, SaveError

__all__ = [
    "SAVE_SCHEMA_VERSION",
    "SAVE_SUFFIX",
    "SaveHeader",
    "encode_save",
    "decode_save",
    "write_save",
    "read_save",
    "save_path",
    "check_save_name",
    "SaveVersionError",
]

# 5: columns, chunk tiles and the world's indexes and queues as bytes and flat containers (_columns.py);
# 4: each table group's objects as one list the pickle's prefix builds (_object_table.layout), equal item sets of
# inventory filters written once;
# 3: entities grouped per (type, name), a column of one repeated object written once (_object_table.py), the body
# uncompressed;
# 2: the world's objects as per-class columns (world_codec.py, _object_table.py); 1 was one pickle per object.
SAVE_SCHEMA_VERSION = 5
SAVE_SUFFIX = ".fvsave"
_MAGIC = b"FVSAVE\n"
# Test hook: called after the temporary file is complete and before the rename (tests/engine/save: a process
# killed there must leave the previous save loadable). Never set outside tests.
after_temp_written: Callable[[Path], None] | None = None


class SaveVersionError(CorruptSaveError):
    """A save from a newer save schema, or from another Factorio version than this game runs as."""


@dataclass(frozen=True)
class SaveHeader:
    schema_version: int
    factorio_version: str
    engine_version: str
    mods: dict[str, str]
    tick: int
    run_id: str | None
    seed: int
    body_length: int = 0
    body_blake2b: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "factoryverse_save",
            "schema_version": self.schema_version,
            "factorio_version": self.factorio_version,
            "engine_version": self.engine_version,
            "mods": self.mods,
            "tick": self.tick,
            "run_id": self.run_id,
            "seed": self.seed,
            "body_length": self.body_length,
            "body_blake2b": self.body_blake2b,
        }


_NAME = re.compile(r"^[^/\\\x00]+$")


def check_save_name(name: Any) -> str:
    """A save name as the game takes it: a file name, no folders. Raises SaveError otherwise."""
    if not isinstance(name, str) or not name:
        raise SaveError(f"a save name must be a non-empty string, got {name!r}")
    if not _NAME.match(name) or name in (".", "..") or ".." in name or len(name) > 200:
        raise SaveError(
            f"save name {name!r} is not allowed: use a plain file name (no '/', '\\\\' or '..', at most 200 characters)"
        )
    return name


def save_path(folder: Path, name: str) -> Path:
    check_save_name(name)
    return folder / f"{name}{SAVE_SUFFIX}"


def encode_save(header: SaveHeader, body_raw: bytes) -> bytes:
    body = body_raw
    digest = hashlib.blake2b(body, digest_size=32).hexdigest()
    full = SaveHeader(**{**header.__dict__, "body_length": len(body), "body_blake2b": digest})
    head = json.dumps(full.to_json(), sort_keys=True).encode()
    return _MAGIC + struct.pack("<I", len(head)) + head + body


def decode_save(data: bytes, *, where: str = "the save") -> tuple[SaveHeader, bytes]:
    """The header and the raw body; CorruptSaveError for anything damaged, SaveVersionError for a newer schema."""
    if not data.startswith(_MAGIC):
        raise CorruptSaveError(f"{where} is not a FactoryVerse engine save (a real Factorio save cannot be loaded)")
    try:
        (n,) = struct.unpack_from("<I", data, len(_MAGIC))
        start = len(_MAGIC) + 4
        raw = json.loads(data[start:start + n])
    except (struct.error, ValueError) as e:
        raise CorruptSaveError(f"{where} has a damaged header ({e}); it is truncated or corrupt") from e
    if not isinstance(raw, dict) or raw.get("type") != "factoryverse_save":
        raise CorruptSaveError(f"{where} has a damaged header; it is truncated or corrupt")
    schema = raw.get("schema_version")
    if not isinstance(schema, int) or schema > SAVE_SCHEMA_VERSION:
        raise SaveVersionError(
            f"{where} has save schema version {schema!r}, newer than this engine's {SAVE_SCHEMA_VERSION}; "
            "load it with a newer FactoryVerse"
        )
    if schema < SAVE_SCHEMA_VERSION:
        raise SaveVersionError(
            f"{where} has save schema version {schema}, older than this engine's {SAVE_SCHEMA_VERSION}, and this "
            "engine reads only its own; load it with the FactoryVerse that wrote it"
        )
    try:
        header = SaveHeader(**{k: raw[k] for k in SaveHeader.__dataclass_fields__})
    except KeyError as e:
        raise CorruptSaveError(f"{where}'s header lacks {e}; it is corrupt") from e
    body = data[start + n:]
    if len(body) != header.body_length or hashlib.blake2b(body, digest_size=32).hexdigest() != header.body_blake2b:
        raise CorruptSaveError(
            f"{where} is truncated or corrupt: its body has {len(body)} bytes of the {header.body_length} written, "
            "or they differ from what was written"
        )
    return header, body


def write_save(path: Path, data: bytes) -> None:
    """Write atomically: a temporary file, fsync, rename, fsync of the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    if after_temp_written is not None:
        after_temp_written(tmp)
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_save(path: Path) -> tuple[SaveHeader, bytes]:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise CorruptSaveError(f"no save at {path}") from None
    except OSError as e:
        raise CorruptSaveError(f"the save {path} cannot be read: {e}") from e
    return decode_save(data, where=f"the save {path}")
