"""One sandboxed Lua 5.2 state, as Factorio gives each mod (and the level that runs console commands)."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, Any, Callable

import lupa.lua52 as lupa

from factoryverse.engine.api.members import load_members
from factoryverse.engine.errors import LuaRuntimeError, ScriptError

if TYPE_CHECKING:
    from factoryverse.engine.api.registry import ApiRegistry

__all__ = ["LuaState", "LuaFunction", "DEFAULT_INSTRUCTION_LIMIT"]

# About a second of pure Lua on one core: far beyond any honest command, short enough that a runaway loop is caught
# before an RCON client times out.
DEFAULT_INSTRUCTION_LIMIT = 200_000_000

LuaFunction = Any  # lupa's _LuaFunction: callable from Python, runs in its state

_GLUE = resources.files("factoryverse.engine.lua").joinpath("glue.lua").read_text(encoding="utf-8")

# What Factorio takes away from a mod's environment: no file system, no process, no loading of code from disk, and
# no coroutines (the game can't save them; here a loop inside one would also escape the instruction limit's hook).
_REMOVED_GLOBALS = (
    "io", "os", "loadfile", "dofile", "python", "require", "module", "package", "collectgarbage", "coroutine",
)


def _deny_attributes(obj: Any, name: Any, is_setting: bool) -> Any:
    # Lua must never reach Python attributes: everything Lua sees goes through the API proxies.
    raise AttributeError(f"access to {name!r} is not allowed")


class LuaState:
    """A Lua runtime with Factorio's sandbox, API proxy classes and a per-call instruction budget."""

    def __init__(self, name: str, registry: ApiRegistry, *, instruction_limit: int = DEFAULT_INSTRUCTION_LIMIT):
        self.name = name
        self.registry = registry
        self.instruction_limit = instruction_limit
        self.lua = lupa.LuaRuntime(
            unpack_returned_tuples=True,
            register_eval=False,
            register_builtins=False,
            attribute_filter=_deny_attributes,
        )
        self._table_from = self.lua.table_from
        self._new_table = self.lua.table
        self._lua_type = lupa.lua_type
        bridge = self.lua.table_from(
            {
                "get": self._bridge_get,
                "set": self._bridge_set,
                "call": self._bridge_call,
                "valid": self._bridge_valid,
                "len": self._bridge_len,
            }
        )
        # Named chunk, so tracebacks say "[engine]" rather than "<python>".
        glue = self.lua.eval("function(src, ...) return assert(load(src, '=[engine]', 't'))(...) end")(_GLUE, bridge)
        self._make_proxy = glue["make_proxy"]
        self._unwrap = glue["unwrap"]
        self._run_limited = glue["run_limited"]
        self.wrap = glue["wrap"]
        self._loader: Any = None
        members = load_members()
        for cls in registry.classes.values():
            methods = self._set_of(cls.methods)
            for key, lua_file in cls.lua_methods.items():
                methods[key] = self._lua_function(lua_file)
            glue["define_class"](
                cls.name,
                self._set_of(cls.getters),
                self._set_of(cls.setters),
                methods,
                self._set_of(cls.always),
                cls.length is not None,
                self._table_from({k: bool(info.readonly) for k, info in members.class_members(cls.name).items()}),
            )
        g = self.lua.globals()
        # Factorio keeps a reduced debug library (traceback, getinfo); sethook stays engine-only.
        debug = g.debug
        g.debug = self.lua.table_from({"traceback": debug.traceback, "getinfo": debug.getinfo})
        for key in _REMOVED_GLOBALS:
            g[key] = None
        # Factorio's `load` takes text only: precompiled chunks would bypass every check.
        # The engine compiles with its own captured copy, so a mod reassigning globals can't break the console.
        self._loader = self.lua.execute(
            """local raw_load, select = load, select
            load = function(chunk, name, mode, ...)
              if select("#", ...) > 0 then return raw_load(chunk, name, "t", ...) end
              return raw_load(chunk, name, "t")
            end
            loadstring = nil
            return function(src, name, env)
              if env == nil then return raw_load(src, name, "t") end
              return raw_load(src, name, "t", env)
            end"""
        )

    # -- conversions ----------------------------------------------------------------------------------------

    def _lua_function(self, lua_file: str) -> Any:
        source = resources.files("factoryverse.engine.lua").joinpath(lua_file).read_text(encoding="utf-8")
        loader = self.lua.eval("function(src, name) return assert(load(src, name, 't'))() end")
        return loader(source, "=[engine " + lua_file + "]")

    def _set_of(self, keys: Any) -> Any:
        return self._table_from({k: True for k in keys})

    def to_lua(self, value: Any) -> Any:
        """Python value -> Lua value: dicts and lists become tables, engine objects become API proxies."""
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        lua_class = getattr(value, "lua_class", None)
        if lua_class is not None:
            return self._make_proxy(lua_class, value.oid, value)
        if isinstance(value, dict):
            t = self._new_table()
            for k, v in value.items():
                t[k] = self.to_lua(v)
            return t
        if isinstance(value, (list, tuple)):
            t = self._new_table()
            for i, v in enumerate(value, 1):
                t[i] = self.to_lua(v)
            return t
        if callable(value) or self._lua_type(value) is not None:
            return value
        raise TypeError(f"cannot pass {type(value).__name__} to Lua")

    def from_lua(self, value: Any) -> Any:
        """Lua value -> Python: proxies become engine objects, array tables lists, other tables dicts."""
        kind = self._lua_type(value)
        if kind != "table":
            return value
        obj = self._unwrap(value)
        if obj is not None:
            return obj
        keys = list(value.keys())
        n = len(keys)
        if n and all(isinstance(k, int) for k in keys) and set(keys) == set(range(1, n + 1)):
            return [self.from_lua(value[i]) for i in range(1, n + 1)]
        return {k: self.from_lua(value[k]) for k in keys}

    # -- bridge (called from glue.lua) ----------------------------------------------------------------------

    def _bridge_get(self, cls: str, obj: Any, key: str) -> Any:
        return self.to_lua(self.registry.classes[cls].getters[key](self, obj))

    def _bridge_set(self, cls: str, obj: Any, key: str, value: Any) -> None:
        self.registry.classes[cls].setters[key](self, obj, self.from_lua(value))

    def _bridge_call(self, cls: str, obj: Any, key: str, *args: Any) -> Any:
        fn = self.registry.classes[cls].methods[key]
        py_args = [self.from_lua(a) for a in args]
        try:
            result = fn(self, obj, *py_args)
        except TypeError as e:
            # A wrong argument count from Lua, reported in Factorio's terms rather than Python's.
            if "positional argument" in str(e) and fn.__name__ in str(e):
                raise ScriptError(f"{cls}.{key}: wrong number of arguments ({len(py_args)} given)") from e
            raise
        return self.to_lua(result)

    def _bridge_len(self, cls: str, obj: Any) -> Any:
        return self.to_lua(self.registry.classes[cls].length(self, obj))  # type: ignore[misc]

    def _bridge_valid(self, obj: Any) -> bool:
        return bool(getattr(obj, "valid", True))

    # -- running code ---------------------------------------------------------------------------------------

    def call(self, what: str, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a Lua function under the instruction budget; a Lua error becomes LuaRuntimeError with its traceback."""
        message = f"Instruction limit of {self.instruction_limit} exceeded in {what} (an endless loop?)"
        result = self._run_limited(self.instruction_limit, message, fn, *args)
        if isinstance(result, tuple):
            ok, rest = result[0], result[1:]
        else:
            ok, rest = result, ()
        if not ok:
            raise LuaRuntimeError(str(rest[0]) if rest else "unknown Lua error", where=what)
        if not rest:
            return None
        return rest[0] if len(rest) == 1 else rest

    def compile(self, source: str, chunkname: str, env: Any | None = None, *, raw_name: bool = False) -> LuaFunction:
        """Compile text (never bytecode) into a function. `chunkname` as Lua takes it ("@file", "=name") or, with
        raw_name, the source itself, which Lua shows as [string "..."] as Factorio does for console commands."""
        name = chunkname if raw_name or chunkname[:1] in ("@", "=") else "=" + chunkname
        fn, err = self._unpack2(self._loader(source, name, env))
        if fn is None:
            raise LuaRuntimeError(str(err), where=chunkname)
        return fn

    @staticmethod
    def _unpack2(result: Any) -> tuple[Any, Any]:
        if isinstance(result, tuple):
            return result[0], (result[1] if len(result) > 1 else None)
        return result, None

    def globals(self) -> Any:
        return self.lua.globals()

    def table(self, *args: Any, **kwargs: Any) -> Any:
        return self._new_table(*args, **kwargs)
