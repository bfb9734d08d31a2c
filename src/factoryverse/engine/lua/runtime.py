"""One sandboxed Lua 5.2 state, as Factorio gives each mod (and the level that runs console commands)."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, Any, Callable

import lupa.lua52 as lupa

from factoryverse.engine.api.members import load_members
from factoryverse.engine.errors import EngineError, LuaRuntimeError
from factoryverse.engine.lua.event_table import EventData, builder_source
from factoryverse.engine.lua.results import MultipleValues
from factoryverse.engine.lua.traversal import check_traversal_order
from factoryverse.engine.lua.watchdog import Watchdog

if TYPE_CHECKING:
    from factoryverse.engine.api.registry import ApiRegistry

__all__ = [
    "LuaState",
    "LuaFunction",
    "DEFAULT_INSTRUCTION_LIMIT",
    "DEFAULT_MEMORY_LIMIT",
    "DEFAULT_STRING_LIMIT",
    "PATTERN_COST_LIMIT",
    "ProxyAndValue",
]

# About a second of pure Lua on one core: far beyond any honest command, short enough that a runaway loop is caught
# before an RCON client times out.
DEFAULT_INSTRUCTION_LIMIT = 200_000_000

# Per Lua state (each mod has one, and the level one more): far beyond what our mods keep in `storage`, small enough
# that a runaway allocation fails in its own command instead of taking the machine's memory.
DEFAULT_MEMORY_LIMIT = 512 * 1024 * 1024

# Longest string string.rep and table.concat will build: an eighth of a state's memory, so building one (the C
# library's buffer doubles as it grows) still fits.
DEFAULT_STRING_LIMIT = 64 * 1024 * 1024

# Upper bound of the C pattern matcher's steps for which string.find & co call it directly; above it they run the
# Lua port of the matcher, under the instruction hook. The bound is pessimistic: the slowest adversarial call it lets
# through takes about a millisecond (benchmarks/pattern_gate.py).
PATTERN_COST_LIMIT = 4_000_000

# After a call that grew its state by more than this, a full collection gives the memory back at once; Lua's
# incremental collector would otherwise hold it until as much again had been allocated.
_COLLECT_AFTER_GROWTH_KB = 16 * 1024

# A state forgets the engine objects of collected proxies once it holds this many, then whenever the count has
# doubled since the last time: each sweep walks the live proxies, so the cost per proxy made stays constant.
_SWEEP_MIN = 4096

# Members whose value never changes while the object is valid, which glue.lua keeps per proxy after the first read:
# an entity keeps its name, type, unit number and prototype for its whole life (a fast-replaced or upgraded entity is
# a new entity). Only classes whose objects' invalidation the engine announces (EventBus.object_invalidated, from
# World.destroy_entity) may be listed: a kept value is answered without asking whether the object is still valid.
_CONSTANT_MEMBERS: dict[str, frozenset[str]] = {
    "LuaEntity": frozenset({"name", "type", "unit_number", "prototype"}),
}
# Positions glue.lua keeps per proxy until the object moves: every move of an entity goes through Surface.move, which
# the engine announces (EventBus.object_moved). The getter must answer in glue's form (x, y; see lua_values).
_PLACE_MEMBERS: dict[str, frozenset[str]] = {
    "LuaEntity": frozenset({"position"}),
}

LuaFunction = Any  # lupa's _LuaFunction: callable from Python, runs in its state

_PLAIN = frozenset({str, int, float, bool})
_NUMBERS = frozenset({int, float})

_GLUE = resources.files("factoryverse.engine.lua").joinpath("glue.lua").read_text(encoding="utf-8")
_STRINGS = resources.files("factoryverse.engine.lua").joinpath("strings.lua").read_text(encoding="utf-8")

# What Factorio takes away from a mod's environment: no file system, no process, no loading of code from disk, and
# no coroutines (the game can't save them; here a loop inside one would also escape the instruction limit's hook).
_REMOVED_GLOBALS = (
    "io", "os", "loadfile", "dofile", "python", "require", "module", "package", "collectgarbage", "coroutine",
)


class ProxyAndValue(tuple):
    """A method's two results, an API object and a plain value (`local stack, index = inv.find_item_stack(...)`)."""


def _deny_attributes(obj: Any, name: Any, is_setting: bool) -> Any:
    # Lua must never reach Python attributes: everything Lua sees goes through the API proxies.
    raise AttributeError(f"access to {name!r} is not allowed")


class LuaState:
    """A Lua runtime with Factorio's sandbox, API proxy classes and a per-call instruction budget."""

    def __init__(
        self,
        name: str,
        registry: ApiRegistry,
        *,
        instruction_limit: int = DEFAULT_INSTRUCTION_LIMIT,
        watchdog: Watchdog | None = None,
        memory_limit: int = DEFAULT_MEMORY_LIMIT,
        string_limit: int = DEFAULT_STRING_LIMIT,
        api_version: str | None = None,
    ):
        # Stock Lua 5.2 would run, but pairs() would visit keys in a different order every run: refuse it.
        check_traversal_order()
        self.name = name
        self.registry = registry
        # The runtime API version the state's game runs as ("2.0.75"); None: what every supported version has.
        self.api_version = api_version
        self.instruction_limit = instruction_limit
        self.watchdog = watchdog if watchdog is not None else Watchdog()
        self.memory_limit = memory_limit
        self.string_limit = string_limit
        self._depth = 0
        # Two limits. Lua code is stopped (like the budget) once its state uses more than memory_limit, checked from
        # the instruction hook. The allocator refuses anything past memory_limit plus a headroom: that catches what
        # grows faster than the hook checks (a string doubled in a loop) as Lua's own "not enough memory", and the
        # headroom keeps room for the engine's own writes from Python, which must never fail (lupa cannot recover
        # from a failed allocation outside a protected Lua call).
        self._hard_memory_limit = memory_limit + max(32 * 1024 * 1024, memory_limit // 8)
        self.lua = lupa.LuaRuntime(
            unpack_returned_tuples=True,
            register_eval=False,
            register_builtins=False,
            attribute_filter=_deny_attributes,
            max_memory=self._hard_memory_limit,
        )
        self._collect = self.lua.globals().collectgarbage  # kept before the sandbox removes it
        # Before glue.lua and any mod: the bounded string and table functions replace the C ones everywhere.
        self.strings = self.lua.eval("function(src, ...) return assert(load(src, '=[engine strings]', 't'))(...) end")(
            _STRINGS, self.lua.table_from({"string_limit": string_limit, "cost_limit": PATTERN_COST_LIMIT})
        )
        g0 = self.lua.globals()
        for key in ("find", "match", "gmatch", "gsub", "rep"):
            g0.string[key] = self.strings[key]
        for key in ("concat", "sort"):
            g0.table[key] = self.strings[key]
        self._table_from = self.lua.table_from
        self._new_table = self.lua.table
        self._lua_type = lupa.lua_type
        bridge = self.lua.table_from({"check": self._hook_check, "collect_after_kb": _COLLECT_AFTER_GROWTH_KB})
        # Named chunk, so tracebacks say "[engine]" rather than "<python>".
        glue = self.lua.eval("function(src, ...) return assert(load(src, '=[engine]', 't'))(...) end")(_GLUE, bridge)
        self._make_proxy = glue["make_proxy"]
        self._unwrap = glue["unwrap"]
        self._invalidate = glue["invalidate"]
        self._moved = glue["moved"]
        self._proxy_oids = glue["oids"]
        # The engine objects behind this state's proxies, by oid. A proxy holds only its oid (see glue.lua for why
        # no Python object crosses); entries go once no proxy uses them (_sweep_objects).
        self._objects: dict[Any, Any] = {}
        self._sweep_at = _SWEEP_MIN
        self._run_limited = glue["run_limited"]
        self._run_event = glue["run_event"]
        self._run_built = glue["run_built"]
        self._glue_make_proxy = glue["make_proxy"]
        self._builders: dict[tuple[Any, ...], Any] = {}  # event table builders by shape (lua/event_table.py)
        self._limit_messages: dict[str, str] = {}
        self._reset_limits = glue["reset"]
        self.wrap = glue["wrap"]
        self._loader: Any = None
        members = load_members()
        for cls in registry.classes.values():
            if cls.versioned and not self._version_has(members, cls.name, None):
                continue  # a class only another version has (api/registry.py, `versioned`)
            bound = {k: fn for k, fn in cls.methods.items() if self._version_has(members, cls.name, k, cls.versioned)}
            methods = self._table_from({k: self._bind_method(cls.name, k, fn) for k, fn in bound.items()})
            for key, lua_file in cls.lua_methods.items():
                methods[key] = self._lua_function(lua_file)
            glue["define_class"](
                cls.name,
                self._table_from({k: self._bind_getter(cls.name, fn, k in cls.always) for k, fn in cls.getters.items()
                                  if self._version_has(members, cls.name, k, cls.versioned)}),
                self._table_from({k: self._bind_setter(cls.name, fn) for k, fn in cls.setters.items()}),
                methods,
                None if cls.length is None else self._bind_getter(cls.name, cls.length, False),
                # Every member of the game's version: a key only another version has is no key at all.
                self._table_from({k: bool(info.readonly)
                                  for k, info in members.class_members(cls.name, api_version).items()}),
                self._set_of(_CONSTANT_MEMBERS.get(cls.name, ()) & cls.getters.keys()),
                self._set_of(k for k in _PLACE_MEMBERS.get(cls.name, ())
                             if getattr(cls.getters.get(k), "lua_values", False)),
                None if cls.index is None else self._bind_method(cls.name, "[]", cls.index),
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

    def _version_has(self, members: Any, cls: str, key: str | None, versioned: Any = ()) -> bool:
        """Whether this state's version has class `cls` (key None) or its version-only member `key`."""
        if key is not None and key not in versioned and "*" not in versioned:
            return True  # a member of every supported version
        version = self.api_version
        if version is None:
            return members.has(cls, key) if key is not None else cls in members.classes()
        return members.has(cls, key, version) if key is not None else cls in members.classes(version)

    # -- conversions ----------------------------------------------------------------------------------------

    def _lua_function(self, lua_file: str) -> Any:
        source = resources.files("factoryverse.engine.lua").joinpath(lua_file).read_text(encoding="utf-8")
        loader = self.lua.eval("function(src, name) return assert(load(src, name, 't'))() end")
        return loader(source, "=[engine " + lua_file + "]")

    def _set_of(self, keys: Any) -> Any:
        return self._table_from({k: True for k in keys})

    def _register(self, value: Any) -> Any:
        """Keep an engine object reachable by its oid for the proxies Lua makes of it; return the oid."""
        oid = value.oid
        objects = self._objects
        if oid not in objects and len(objects) >= self._sweep_at:
            self._sweep_objects()
        # One oid names one engine object (ids.py; value objects such as LuaTile derive theirs from what they
        # denote), so the newest object given for an oid stands for it as well as any earlier one.
        objects[oid] = value
        return oid

    def to_lua(self, value: Any) -> Any:
        """Python value -> Lua value: dicts and lists become tables, engine objects become API proxies."""
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        lua_class = getattr(value, "lua_class", None)
        if lua_class is not None:
            return self._make_proxy(lua_class, self._register(value))
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
        oid = self._unwrap(value)
        if oid is not None:
            return self._object(oid)
        keys = list(value.keys())
        n = len(keys)
        if n and all(isinstance(k, int) for k in keys) and set(keys) == set(range(1, n + 1)):
            return [self.from_lua(value[i]) for i in range(1, n + 1)]
        return {k: self.from_lua(value[k]) for k in keys}

    def api_object(self, value: Any) -> Any | None:
        """The engine object behind an API proxy, or None for any other value (walkers of a mod's tables, such as
        engine/state_hash.py, tell proxies from plain tables with it)."""
        if self._lua_type(value) != "table":
            return None
        oid = self._unwrap(value)
        return None if oid is None else self._object(oid)

    def lua_type(self, value: Any) -> str | None:
        """Lua's type name of a value that lives in Lua ("table", "function", ...), None for plain Python values."""
        return self._lua_type(value)

    # -- bridge (called from glue.lua) ----------------------------------------------------------------------
    # One Python function per class and member, made once per state and called with the object id: a read is one
    # crossing. The number of values answered says what glue.lua builds (see there): a value, a position (x, y), a
    # proxy (class, id, 0) or an error (message, 0, 0, 0). Errors come back as values, never raised, so a read needs
    # no pcall; the text is the exception's, as Lua's tostring of a raised Python exception gives it.

    def _result(self, value: Any) -> Any:
        """A member's Python result in the form glue.lua takes back."""
        kind = type(value)
        if kind in _PLAIN or value is None:
            return value
        if kind is dict:
            if len(value) == 2:
                x, y = value.get("x"), value.get("y")
                if type(x) in _NUMBERS and type(y) in _NUMBERS and next(iter(value)) == "x":
                    return (x, y)
            return self.to_lua(value)
        if self._lua_type(value) is not None:
            return value  # a Lua table or function made by the engine (game.surfaces, an iterator)
        lua_class = getattr(value, "lua_class", None)
        if lua_class is not None:
            return (lua_class, self._register(value), 0)
        if kind is ProxyAndValue:
            obj, second = value
            return (obj.lua_class, self._register(obj), 0, 0, second)
        if kind is MultipleValues:
            # Each value made for Lua here; the sixth says how many of the first four are results.
            values = [self.to_lua(v) for v in value]
            return (*values, *[None] * (4 - len(values)), None, len(values))
        return self.to_lua(value)

    @staticmethod
    def _invalid(cls: str) -> tuple[str, int, int, int]:
        return (f"{cls} API call when {cls} was invalid.", 0, 0, 0)

    def _bind_getter(self, cls: str, fn: Callable[..., Any], always: bool) -> Callable[[Any], Any]:
        objects, result, invalid, state = self._objects, self._result, self._invalid(cls), self
        if getattr(fn, "lua_values", False):
            # The getter answers in glue's form already (LuaEntity.position: x, y): no conversion on the way back.
            def get_values(oid: Any) -> Any:
                try:
                    obj = objects.get(oid)
                    if obj is None:
                        obj = state._object(oid)
                    if not always and not getattr(obj, "valid", True):
                        return invalid
                    return fn(state, obj)
                except Exception as e:
                    return (str(e), 0, 0, 0)

            return get_values

        def get(oid: Any) -> Any:
            try:
                obj = objects.get(oid)
                if obj is None:
                    obj = state._object(oid)
                if not always and not getattr(obj, "valid", True):
                    return invalid
                return result(fn(state, obj))
            except Exception as e:
                return (str(e), 0, 0, 0)

        return get

    def _bind_setter(self, cls: str, fn: Callable[..., Any]) -> Callable[[Any, Any], Any]:
        """Answers nothing, or the error's message."""
        objects, invalid, state = self._objects, self._invalid(cls)[0], self

        def set_(oid: Any, value: Any) -> Any:
            try:
                obj = objects.get(oid)
                if obj is None:
                    obj = state._object(oid)
                if not getattr(obj, "valid", True):
                    return invalid
                fn(state, obj, state.from_lua(value))
                return None
            except Exception as e:
                return str(e)

        return set_

    def _bind_method(self, cls: str, key: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        objects, result, invalid, state = self._objects, self._result, self._invalid(cls), self
        from_lua = self.from_lua

        def call(oid: Any, *args: Any) -> Any:
            try:
                obj = objects.get(oid)
                if obj is None:
                    obj = state._object(oid)
                if not getattr(obj, "valid", True):
                    return invalid
                return result(fn(state, obj, *[from_lua(a) for a in args]))
            except Exception as e:
                return (str(e), 0, 0, 0)

        return call

    # -- engine objects behind proxies ----------------------------------------------------------------------

    def _object(self, oid: Any) -> Any:
        try:
            return self._objects[oid]
        except KeyError:
            # Unreachable while _sweep_objects keeps every oid a proxy still holds; say so plainly if it ever is.
            raise EngineError(
                f"{self.name}: no engine object for the proxy of oid {oid!r}; the engine forgot it while the proxy "
                "was alive (an engine bug, please report it)"
            ) from None

    def invalidate(self, oid: Any) -> None:
        """The engine object `oid` became invalid: the proxy of it, if this state has one, forgets the constant
        members it kept (_CONSTANT_MEMBERS), so reading them raises Factorio's invalid-object error."""
        if oid in self._objects:
            self._invalidate(oid)

    def moved(self, oid: Any) -> None:
        """The entity `oid` moved: its proxy in this state, if any, forgets the position it kept (_PLACE_MEMBERS)."""
        if oid in self._objects:
            self._moved(oid)

    def _sweep_objects(self) -> None:
        """Forget the engine objects no proxy refers to any more. A proxy stays in glue.lua's weak `oids` table until
        the collector frees it, so every oid Lua can still reach is kept."""
        live = set(self._proxy_oids.values())
        objects = self._objects
        for oid in [oid for oid in objects if oid not in live]:
            del objects[oid]
        self._sweep_at = max(_SWEEP_MIN, 2 * len(objects))

    # -- running code ---------------------------------------------------------------------------------------

    def _limit_message(self, what: str) -> str:
        message = self._limit_messages.get(what)
        if message is None:
            if len(self._limit_messages) >= 1024:  # `what` names commands and interfaces: a bounded set, kept so
                self._limit_messages.clear()
            message = f"Instruction limit of {self.instruction_limit} exceeded in {what} (an endless loop?)"
            self._limit_messages[what] = message
        return message

    def call(self, what: str, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a Lua function under the instruction budget and the wall-clock watchdog; a Lua error becomes
        LuaRuntimeError with its traceback, running out of memory one that says so. (glue.lua collects garbage after
        a call that grew the state a lot.)"""
        result = self._guarded(what, self._run_limited, fn, *args)
        if type(result) is tuple:
            ok, rest = result[0], result[1:]
        else:
            ok, rest = result, ()
        if not ok:
            raise LuaRuntimeError(self._explain(str(rest[0]) if rest else "unknown Lua error"), where=what)
        if not rest:
            return None
        return rest[0] if len(rest) == 1 else rest

    def call_event(self, what: str, fn: Callable[..., Any], name: int, tick: int, nth_tick: int | None = None) -> None:
        """`call` for a handler whose event table holds only name and tick (or nth_tick and tick): glue.lua makes the
        table, so the call is one crossing."""
        result = self._guarded(what, self._run_event, fn, name, tick, nth_tick)
        if result is not True:
            message = result[1] if type(result) is tuple and len(result) > 1 else "unknown Lua error"
            raise LuaRuntimeError(self._explain(str(message)), where=what)

    def call_event_data(self, what: str, fn: Callable[..., Any], name: int, tick: int, data: EventData) -> None:
        """`call_event` for a handler whose event table also holds `data` (flattened by lua/event_table.py): the
        table is made in Lua by the builder of its shape, so the call is one crossing."""
        build = self._builders.get(data.shape)
        if build is None:
            if len(self._builders) >= 1024:  # shapes of mods' own raised events need not be a bounded set
                self._builders.clear()
            build = self._builders[data.shape] = self.lua.execute(builder_source(data.shape), self._glue_make_proxy)
        args = data.args
        if data.fixups:
            args = list(args)
            for i, value, is_object in data.fixups:
                if is_object:
                    self._register(value)  # the proxy Lua makes from (class, oid) finds its object
                else:
                    args[i] = self.to_lua(value)
        result = self._guarded(what, self._run_built, fn, build, name, tick, *args)
        if result is not True:
            message = result[1] if type(result) is tuple and len(result) > 1 else "unknown Lua error"
            raise LuaRuntimeError(self._explain(str(message)), where=what)

    def _guarded(self, what: str, runner: Any, *args: Any) -> Any:
        watchdog = self.watchdog
        self._depth += 1
        watchdog.enter(what)
        try:
            return runner(self.instruction_limit, self._limit_message(what), *args)
        except lupa.LuaError as e:
            # Raised outside the protected call (e.g. no memory left to pack its results): the hook must not stay set,
            # and the garbage left by the failed work would otherwise fill the state.
            self._reset_limits()
            if self._depth == 1:
                self._collect("collect")
            return (False, str(e))
        finally:
            watchdog.leave()
            self._depth -= 1

    def _explain(self, message: str) -> str:
        if message == "not enough memory":
            return self._memory_message()
        return message

    def _memory_message(self) -> str:
        return (
            f"not enough memory: the Lua state of {self.name} reached its limit of "
            f"{self.memory_limit / (1024 * 1024):g} MiB (see docs/known-differences.md)"
        )

    def _hook_check(self) -> str | None:
        """Called from the instruction hook every few thousand instructions: why the running call must stop, if so."""
        if self.watchdog.expired():
            return self.watchdog.message()
        if (self.lua.get_memory_used() or 0) > self.memory_limit:
            return self._memory_message()
        return None

    def memory_kb(self) -> float:
        """Memory the Lua state uses now, in KiB (Lua's own count)."""
        count = self._collect("count")  # Lua 5.2 returns KiB and the bytes beyond them
        return float(count[0] if isinstance(count, tuple) else count)

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
