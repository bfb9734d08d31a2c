"""A mod's `storage` as plain data and back, as the game saves it.

Tables keep their identity: a table met twice (shared, or a cycle) is written once and referenced by number, so the
restored `storage` has the same shape. Entries are written in the table's traversal order (the patched Lua's
`pairs` order, lua/traversal.py) and set again in that order, so `pairs` visits a restored table as it visited the
saved one. API objects are written by reference: world objects (entities, inventories, burners, forces, surfaces)
by their place in the save's list of referenced objects, which is saved inside the world (engine/save/world_codec.py),
so a restored proxy names the very object the restored world holds, valid or not; the per-state handles (`game`,
`script`, ...) by name. Functions and coroutines are refused, as the game refuses them. A table's metatable is kept
only when registered with `script.register_metatable`: by its name, set again on load from the registry control.lua
rebuilt, as in the game; other metatables are dropped.
"""

from __future__ import annotations

from typing import Any

from factoryverse.engine.errors import ModLoadError
from factoryverse.engine.lua.table_ids import table_numberer
from factoryverse.engine.save.world_codec import CorruptSaveError, SaveError

__all__ = ["StorageWriter", "restore_storage", "MetatableNotRegisteredError"]


class MetatableNotRegisteredError(ModLoadError):
    """A table in a saved storage had a registered metatable whose name control.lua no longer registers."""

# Handles every state has, by the oid the engine gives them (api/__init.py) -> the global that holds them.
_STATE_HANDLES = {"game": "game", "rcon": "rcon", "helpers": "helpers", "prototypes": "prototypes",
                  "rendering": "rendering"}
_SCRIPT_HANDLES = {"script": "script", "remote": "remote", "commands": "commands"}


class StorageWriter:
    """Writes several states' storage; `refs` collects the world objects they reference, in first-seen order, for
    the world's pickle."""

    def __init__(self) -> None:
        self.refs: list[Any] = []
        self._ref_index: dict[int, int] = {}

    def write(self, state: Any, owner: str) -> Any:
        """`owner`'s storage as {"tables": [[(key, value), ...], ...], "root": value}."""
        walk = _Walk(self, state, owner)
        root = walk.value(state.globals().storage, "storage")
        return {"tables": walk.tables, "root": root, "metatables": walk.metatables}

    def ref(self, obj: Any) -> int:
        key = id(obj)
        index = self._ref_index.get(key)
        if index is None:
            index = self._ref_index[key] = len(self.refs)
            self.refs.append(obj)
        return index


class _Walk:
    def __init__(self, writer: StorageWriter, state: Any, owner: str):
        self.writer = writer
        self.state = state
        self.owner = owner
        self.table_id = table_numberer(state)
        self.numbers: dict[int, int] = {}
        self.tables: list[list[tuple[Any, Any]]] = []
        self.metatables: dict[int, str] = {}  # table number -> name its metatable is registered under
        self.metatable_name = getattr(state, "metatable_name", None)

    def value(self, v: Any, path: str) -> Any:
        if v is None or isinstance(v, (bool, int, float, str, bytes)):
            return v
        kind = self.state.lua_type(v)
        if kind == "table":
            obj = self.state.api_object(v)
            if obj is not None:
                return self._object(obj, path)
            return self._table(v, path)
        raise SaveError(
            f"{self.owner}'s {path} holds a {kind or type(v).__name__}, which cannot be saved (Factorio refuses "
            "functions in storage too); keep only data and API objects in storage"
        )

    def _object(self, obj: Any, path: str) -> Any:
        oid = obj.oid
        if isinstance(oid, int):
            return ("o", self.writer.ref(obj))
        name = oid.split(":", 1)[0]
        if name in _STATE_HANDLES or name in _SCRIPT_HANDLES:
            if name in _SCRIPT_HANDLES and oid != f"{name}:{self.owner}":
                raise SaveError(f"{self.owner}'s {path} holds another mod's {obj.lua_class}, which cannot be saved")
            return ("h", name)
        raise SaveError(
            f"{self.owner}'s {path} holds a {obj.lua_class}; the engine cannot save that class in storage yet "
            "(entities, inventories, burners, forces, surfaces and the global handles can be saved)"
        )

    def _table(self, t: Any, path: str) -> Any:
        key = self.table_id(t)
        number = self.numbers.get(key)
        if number is not None:
            return ("t", number)
        number = self.numbers[key] = len(self.tables)
        entries: list[tuple[Any, Any]] = []
        self.tables.append(entries)
        name = self.metatable_name(t) if self.metatable_name is not None else None
        if name is not None:
            self.metatables[number] = name
        for k, v in t.items():
            entries.append((self.value(k, f"{path} key"), self.value(v, f"{path}[{k!r}]")))
        return ("t", number)


def restore_storage(state: Any, data: Any, refs: list[Any]) -> Any:
    """Rebuild a storage written by StorageWriter in `state`; returns the new storage table."""
    tables = [state.table() for _ in data["tables"]]
    g = state.globals()

    def value(v: Any) -> Any:
        if not isinstance(v, tuple):
            return v
        tag = v[0]
        if tag == "t":
            return tables[v[1]]
        if tag == "o":
            return state.to_lua(refs[v[1]])
        if tag == "h":
            return g[v[1]]
        raise CorruptSaveError(f"the save's storage has a value tagged {tag!r}")

    try:
        for table, entries in zip(tables, data["tables"]):
            for k, v in entries:
                table[value(k)] = value(v)
        for number, name in data.get("metatables", {}).items():
            if not state.set_registered_metatable(tables[number], name):
                raise MetatableNotRegisteredError(
                    f"{state.name}'s storage holds tables whose metatable was registered as {name!r}, and "
                    "control.lua no longer registers that name: call script.register_metatable(name, metatable) in "
                    "the main chunk of control.lua, as the game requires")
        return value(data["root"])
    except (IndexError, KeyError, TypeError, ValueError) as e:
        raise CorruptSaveError(f"the save's storage could not be rebuilt: {type(e).__name__}: {e}") from e
