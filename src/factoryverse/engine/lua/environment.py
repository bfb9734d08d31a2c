"""The globals Factorio gives every control-stage Lua state: API objects, `defines`, `require`, `serpent`, `log`..."""

from __future__ import annotations

import logging
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

import draftsman

from factoryverse.engine.errors import LuaRuntimeError, ModLoadError, ScriptError

if TYPE_CHECKING:
    from factoryverse.engine.engine import Engine
    from factoryverse.engine.lua.runtime import LuaState

__all__ = ["install_globals", "install_stage_globals", "Requirer"]

log = logging.getLogger("factoryverse.engine.lua")

_SERPENT = (Path(draftsman.__file__).parent / "compatibility" / "serpent.lua").read_text(encoding="utf-8")
# Factorio's serpent turns comments off by default, so line/block never print table addresses (determinism).
_SERPENT_DEFAULTS = """local serpent = ...
local function without_comments(fn)
  return function(value, opts)
    local merged = {comment = false}
    if opts then for k, v in pairs(opts) do merged[k] = v end end
    return fn(value, merged)
  end
end
serpent.line, serpent.block = without_comments(serpent.line), without_comments(serpent.block)
return serpent"""


# math.random with Lua 5.2's argument rules and messages, drawing from the engine's generator (`next_float`, a
# number in [0, 1)); like Lua's own, it draws before it checks the arguments. Non-integer bounds are floored, as
# Factorio's "Libraries and functions" says, where stock 5.2 would stretch the interval.
_RANDOM = """local next_float = ...
local floor, select, tonumber, type, error = math.floor, select, tonumber, type, error
local function number_arg(n, i, v)
  local x = type(v) == "number" and v or (type(v) == "string" and tonumber(v)) or nil
  if x == nil then
    error("bad argument #" .. i .. " to 'random' (number expected, got " .. (i > n and "no value" or type(v)) .. ")", 3)
  end
  return x
end
return function(...)
  local n = select("#", ...)
  local r = next_float()
  if n == 0 then return r end
  local a, b = ...
  if n == 1 then
    local u = floor(number_arg(n, 1, a))
    if u < 1 then error("bad argument #1 to 'random' (interval is empty)", 2) end
    return floor(r * u) + 1
  elseif n == 2 then
    local l, u = floor(number_arg(n, 1, a)), floor(number_arg(n, 2, b))
    if l > u then error("bad argument #2 to 'random' (interval is empty)", 2) end
    return floor(r * (u - l + 1)) + l
  end
  error("wrong number of arguments", 2)
end"""


# What the game keeps of `collectgarbage` (it is not among the modules its docs say are removed): reading the
# memory in use and running the collector. Options that stop or retune the collector are refused, since the
# engine's memory limit (lua/runtime.py) relies on it running.
_COLLECTGARBAGE = """local raw, type, tostring, error = ...
local allowed = {collect = true, count = true, step = true, isrunning = true}
return function(opt, arg)
  if opt == nil then opt = "collect" end
  if type(opt) ~= "string" or not allowed[opt] then
    error("bad argument #1 to 'collectgarbage' (invalid option '" .. tostring(opt) .. "')", 2)
  end
  return raw(opt, arg)
end"""

_PACK = (Path(__file__).parent / "pack.lua").read_text(encoding="utf-8")


def _lua_libraries(state: LuaState) -> None:
    """The additions to Lua's own libraries every stage gets: string.pack/unpack/packsize (pack.lua)."""
    g = state.globals()
    packing = state.lua.execute(_PACK)
    for name in ("pack", "unpack", "packsize"):
        g.string[name] = packing[name]


class _RegistryToken:
    """A Python object: in Lua a userdata, which no mod can make, so only the engine can read the registry."""


# Saves ask these of a state (engine/save/storage_codec.py): the name a table's metatable is registered under, and
# setting a registered metatable on a restored table. Both capture the functions before any mod code runs.
_METATABLE_LINKS = """local registry, getmetatable, setmetatable = ...
local names, by_name = registry.names, registry.by_name
return function(t)
  local mt = getmetatable(t)
  return mt ~= nil and names[mt] or nil
end, function(t, name)
  local mt = by_name[name]
  if mt == nil then return false end
  setmetatable(t, mt)
  return true
end"""


def _link_metatables(state: LuaState, g: Any) -> None:
    registry = g.script.register_metatable(_RegistryToken())
    state.metatable_name, state.set_registered_metatable = state.lua.execute(  # type: ignore[attr-defined]
        _METATABLE_LINKS, registry, g.getmetatable, g.setmetatable)


def _map_random(engine: Engine) -> random.Random:
    """One generator per engine, seeded from the map seed and shared by all its states, as Factorio's map RNG."""
    rng = engine.__dict__.get("_lua_math_random")
    if rng is None:
        rng = engine._lua_math_random = random.Random(engine.seed)  # type: ignore[attr-defined]
    return rng


class Requirer:
    """Factorio's `require` for one state: `__mod__/path`, paths relative to the requiring file, then the mod root,
    then core's lualib; dots or slashes as separators; each file runs once per state. It works only while a file
    runs (control.lua and what it requires): afterwards, and always in the level's console state, it fails with the
    game's message."""

    def __init__(self, state: LuaState, mod_roots: dict[str, Path], own_mod: str | None):
        self.state = state
        self.roots = mod_roots
        self.own_mod = own_mod
        self.loaded: dict[str, Any] = {}
        self.stack: list[tuple[str, Path]] = []  # (mod, directory of the file being run)

    def _candidates(self, name: str) -> list[tuple[str, Path, str]]:
        """(mod, file, the game's name for it) in the order the game looks; raises for a mod that isn't loaded."""
        name = name[:-4] if name.endswith(".lua") else name
        if name.startswith("__"):
            end = name.find("__", 2)
            if end < 0:
                return []
            mod = name[2:end]
            rest = name[end + 2 :]
            rest = rest[1:] if rest[:1] in ("/", ".") else rest
            rel = _as_path(rest)
            root = self.roots.get(mod)
            if root is None:
                raise ScriptError(f"Path __{mod}__/{rel}.lua does not match any enabled mod.")
            return [(mod, root / (rel + ".lua"), f"__{mod}__/{rel}.lua")]
        rel = _as_path(name)
        mod, here = self.stack[-1]
        root = self.roots[mod]
        here_rel = here.resolve().relative_to(root.resolve()).as_posix()  # run_file ran only files under root
        local = rel if here_rel == "." else f"{here_rel}/{rel}"
        return [
            (mod, here / (rel + ".lua"), f"__{mod}__/{local}.lua"),
            (mod, root / (rel + ".lua"), f"__{mod}__/{rel}.lua"),
            ("core", self.roots["core"] / "lualib" / (rel + ".lua"), f"__core__/lualib/{rel}.lua"),
        ]

    def require(self, name: Any) -> Any:
        if not self.stack:
            # Only while a file of this state runs (control.lua and what it requires); never from handlers, remote
            # calls or the console, as in the game.
            raise ScriptError("Require can't be used outside of control.lua parsing.")
        if not isinstance(name, str):
            raise ScriptError(f"require expects a string, got {type(name).__name__}")
        candidates = self._candidates(name)
        # The game disables `..`: nothing outside a mod's folder can be required.
        for mod, path, shown in candidates if ".." not in name.replace("\\", "/").split("/") else ():
            key = str(path.resolve())
            if key in self.loaded:
                return self.loaded[key]
            if path.is_file():
                return self.run_file(mod, path, key)
        # The game's text: two spaces after the semicolon, then every place it looked.
        raise ScriptError(f"module {name} not found; " + "".join(f" no such file {shown}" for *_, shown in candidates))

    def run_file(self, mod: str, path: Path, key: str | None = None) -> Any:
        key = key or str(path.resolve())
        rel = path.resolve().relative_to(self.roots[mod].resolve()).as_posix()
        chunkname = f"@__{mod}__/{rel}"
        try:
            fn = self.state.compile(path.read_text(encoding="utf-8"), chunkname)
        except LuaRuntimeError as e:
            raise ModLoadError(f"syntax error in {chunkname[1:]}: {e}") from e
        self.loaded[key] = True  # a cycle sees `true`, as Lua's require does
        self.stack.append((mod, path.parent))
        try:
            result = fn()
        finally:
            self.stack.pop()
        value = True if result is None else result
        self.loaded[key] = value
        return value


def _as_path(name: str) -> str:
    """A module name as a relative file path: dots are folders unless the name already uses slashes."""
    return name if "/" in name else name.replace(".", "/")


def _table_size(state: LuaState):
    # `next` is captured, so a mod reassigning `pairs` or `next` doesn't break table_size.
    counter = state.lua.eval("(function(next) return function(t) local n = 0 for _ in next, t do n = n + 1 end return n end end)(next)")
    return counter


def install_globals(engine: Engine, state: LuaState, *, mod: str | None, api_objects: dict[str, Any]) -> Requirer:
    """Install Factorio's globals into `state`; `api_objects` maps global names (game, script, ...) to engine objects."""
    g = state.globals()
    for name, obj in api_objects.items():
        g[name] = state.to_lua(obj)
    g.defines = engine.defines_table(state)
    g.storage = state.table()
    g.serpent = state.lua.execute(_SERPENT_DEFAULTS, state.lua.execute(_SERPENT))
    g.table_size = _table_size(state)
    # Factorio makes math.random deterministic (the map's generator) and math.randomseed does nothing.
    g.math.random = state.lua.execute(_RANDOM, _map_random(engine).random)
    g.math.randomseed = state.lua.eval("function() end")
    g.collectgarbage = state.lua.execute(_COLLECTGARBAGE, state._collect, g.type, g.tostring, g.error)
    _lua_libraries(state)
    who = mod or "level"

    def _log(message: Any) -> None:
        text = engine.localised_to_text(state.from_lua(message))
        engine.log_line(f"{who}: {text}")

    def _localised_print(message: Any) -> None:
        engine.log_line(engine.localised_to_text(state.from_lua(message)))

    g.log = state.wrap(_log)
    g.localised_print = state.wrap(_localised_print)
    # LuaSettings (engine/api/settings.py); an engine built without the settings stage has none.
    mod_settings = engine.__dict__.get("mod_settings")
    if mod_settings is not None:
        g.settings = state.to_lua(mod_settings.handle)
    _link_metatables(state, g)
    roots = dict(engine.mod_roots)
    requirer = Requirer(state, roots, mod)
    g.require = state.wrap(requirer.require)
    # Lua's `print` goes to the server's stdout in Factorio; here to the engine log.
    g["print"] = state.wrap(lambda *args: engine.log_line(" ".join(str(a) for a in args)))
    return requirer


def install_stage_globals(state: LuaState, mods: dict[str, str], log: Any) -> None:
    """The globals of the settings stage's shared state (engine/settings.py): `mods`, `defines`, `serpent`,
    `table_size` and `log`; `data` comes from core's own dataloader.lua."""
    from factoryverse.engine.api.defines import defines_table

    g = state.globals()
    g.mods = state.to_lua(mods)
    g.defines = defines_table(state, state.api_version)
    g.serpent = state.lua.execute(_SERPENT_DEFAULTS, state.lua.execute(_SERPENT))
    g.table_size = _table_size(state)
    _lua_libraries(state)
    g.log = state.wrap(lambda message: log(f"settings stage: {state.from_lua(message)}"))
