"""Which API members the engine implements, checked against Factorio's member list as they are registered.

Each Lua-visible class is an ApiClass holding Python getters, setters and methods. Registering a member that is not
in both the 2.0 and 2.1 runtime APIs fails at import time, so nothing unreal can reach a mod.

A member is implemented once, on the class that defines it in the game (``LuaControl.insert``, through
``api_base("LuaControl")``), and every registered class that inherits it (``LuaEntity``, ``LuaPlayer``) exposes
it: each concrete class's ``getters``, ``setters`` and ``methods`` are resolved tables, whatever the order of
registration, so the Lua bridge binds once per class and key. A method's arguments are checked against the
parameter lists the member list declares before its implementation runs (``_signature.py``).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

from factoryverse.engine.api._signature import CallChecker
from factoryverse.engine.api.members import load_members
from factoryverse.engine.errors import ApiMemberError, ScriptError

__all__ = ["ApiClass", "ApiRegistry", "REGISTRY", "api_class", "api_base"]

Getter = Callable[[Any, Any], Any]
Setter = Callable[[Any, Any, Any], None]
Method = Callable[..., Any]

_TABLES = ("getters", "setters", "methods", "lua_methods")


@dataclass
class ApiClass:
    name: str
    # Resolved tables (own members and inherited ones): what the bridge binds.
    getters: dict[str, Getter] = field(default_factory=dict)
    setters: dict[str, Setter] = field(default_factory=dict)
    methods: dict[str, Method] = field(default_factory=dict)
    # Readable even on an invalid object, as in Factorio.
    always: set[str] = field(default_factory=set)
    # Methods implemented in Lua (file name under engine/lua/ returning the function); stateless ones only.
    lua_methods: dict[str, str] = field(default_factory=dict)
    # `#obj`, for the classes Factorio gives a length operator (LuaInventory: its number of slots).
    length: Getter | None = None
    # `obj[i]` for a number i, for the classes Factorio gives an index operator (LuaInventory: its i-th stack).
    index: Method | None = None
    # A class no object is an instance of (LuaControl): it only implements members for the classes inheriting them.
    base: bool = False
    # Members (or, with "*", the whole class) only some Factorio versions have (2.0's LuaEntity.fluidbox): a Lua
    # state binds them only when its version has them, so a mod never sees another version's member.
    versioned: set[str] = field(default_factory=set)
    registry: ApiRegistry | None = field(default=None, repr=False)
    # What this class implements itself, per table: the source the resolved tables of its subclasses copy.
    own: dict[str, dict[str, Any]] = field(default_factory=lambda: {t: {} for t in _TABLES})

    def _operators(self) -> frozenset[str]:
        members = load_members()
        if "*" in self.versioned:  # a class of some versions only: the operators it has there
            return frozenset().union(*(members.operators(self.name, v) for v in members.versions))
        return members.operators(self.name)

    def length_operator(self, fn: Getter) -> Getter:
        if "length" not in self._operators():
            raise ApiMemberError(f"{self.name} has no length operator (#) in Factorio")
        self.length = fn
        return fn

    def index_operator(self, fn: Method) -> Method:
        """``fn(state, obj, i)`` answers ``obj[i]`` for a number ``i`` (other keys are members)."""
        if "index" not in self._operators():
            raise ApiMemberError(f"{self.name} has no index operator ([]) in Factorio")
        self.index = fn
        return fn

    def _check(self, key: str, kind: str, writable: bool = False, versioned: bool = False) -> None:
        members = load_members()
        info = members.member(self.name, key)
        some = versioned and any(members.has(self.name, key, v) for v in members.versions)
        if info is None or not (members.has(self.name, key) or some):
            raise ApiMemberError(f"{self.name}.{key} is not a member of both Factorio 2.0 and 2.1 runtime APIs")
        # (A member that moved to a base in one version, as LuaEntity.mining_progress into LuaControl in 2.1, stays
        # on the class that has it in every version.)
        if info.defined_in is not None and members.has(info.defined_in, key):
            raise ApiMemberError(
                f"{self.name}.{key} is defined by {info.defined_in} in Factorio: implement it once there "
                f"(api_base({info.defined_in!r})) and every class inheriting it exposes it")
        if info.kind != kind:
            raise ApiMemberError(f"{self.name}.{key} is a {info.kind} in Factorio, not a {kind}")
        if writable and info.readonly:
            raise ApiMemberError(f"{self.name}.{key} is read-only in Factorio")
        if kind == "property" and not writable and getattr(info, "writeonly", False):
            raise ApiMemberError(f"{self.name}.{key} is write-only in Factorio")

    def _add(self, table: str, key: str, value: Any, always: bool = False) -> None:
        self.own[table][key] = (value, always)
        targets = [self] if not self.base else []
        if self.registry is not None:
            targets += self.registry.inheritors(self.name, key)
        for cls in targets:
            getattr(cls, table)[key] = value
            if always:
                cls.always.add(key)

    def getter(self, key: str, *, always: bool = False, versioned: bool = False) -> Callable[[Getter], Getter]:
        """`versioned`: the member exists in some supported versions only (bound only where it exists)."""
        def deco(fn: Getter) -> Getter:
            self._check(key, "property", versioned=versioned or "*" in self.versioned)
            if versioned:
                self.versioned.add(key)
            self._add("getters", key, fn, always)
            return fn

        return deco

    def attributes(self, *names: str, **renamed: str) -> None:
        """Getters that read the engine object's attribute of the same name (or `member=attribute`)."""
        for member, attr in [*((n, n) for n in names), *renamed.items()]:
            self.getter(member)(lambda state, obj, _a=attr: getattr(obj, _a))

    def setter(self, key: str) -> Callable[[Setter], Setter]:
        def deco(fn: Setter) -> Setter:
            self._check(key, "property", writable=True)
            self._add("setters", key, fn)
            return fn

        return deco

    def lua_method(self, key: str, lua_file: str) -> None:
        """Implement a stateless method in Lua (engine/lua/<lua_file>), e.g. where Python would only copy tables."""
        self._check(key, "method")
        self._add("lua_methods", key, lua_file)

    def method(self, key: str, *, versioned: bool = False) -> Callable[[Method], Method]:
        def deco(fn: Method) -> Method:
            self._check(key, "method", versioned=versioned or "*" in self.versioned)
            if versioned:
                self.versioned.add(key)
            self._add("methods", key, checked_method(self.name, key, fn))
            return fn

        return deco


def checked_method(cls: str, key: str, fn: Method) -> Method:
    """``fn`` behind a check of its arguments against the game's parameter lists (per API version).

    The implementation must take every argument the game's lists allow (refused at import time otherwise), so a
    call the check lets through never meets Python's own argument errors.
    """
    members = load_members()
    info = members.member(cls, key)
    classes = frozenset(members.classes()) | {c for v in members.versions for c in members.classes(v)}
    checkers = {v: CallChecker(cls, key, info.signatures(v), classes) for v in (None, *members.versions)}
    newest = checkers[None]
    _accepts(cls, key, fn, max(c.max_args for c in checkers.values()))

    def call(state: Any, obj: Any, *args: Any) -> Any:
        error = checkers.get(getattr(state, "api_version", None), newest).check(args)
        if error is not None:
            raise ScriptError(error)
        return fn(state, obj, *args)

    call.__name__ = getattr(fn, "__name__", key)
    call.__wrapped__ = fn  # type: ignore[attr-defined]
    call.checker = newest  # type: ignore[attr-defined]
    return call


def _accepts(cls: str, key: str, fn: Method, most: float) -> None:
    params = list(inspect.signature(fn).parameters.values())[2:]  # after (state, obj)
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if most > len(positional):
        raise ApiMemberError(
            f"{cls}.{key} takes up to {most} arguments in Factorio but its implementation "
            f"{getattr(fn, '__qualname__', fn)} only {len(positional)}: give it every parameter the game declares "
            "(refusing those it does not support)")


class ApiRegistry:
    def __init__(self) -> None:
        self.classes: dict[str, ApiClass] = {}
        self.bases: dict[str, ApiClass] = {}

    def _new(self, name: str, base: bool, versioned: bool = False) -> ApiClass:
        members = load_members()
        known = name in members.classes() or versioned and any(name in members.classes(v) for v in members.versions)
        if not known:
            raise ApiMemberError(f"{name} is not a Factorio runtime class")
        return ApiClass(name, base=base, registry=self, versioned={"*"} if versioned else set())

    def cls(self, name: str, versioned: bool = False) -> ApiClass:
        if name in self.bases:
            raise ApiMemberError(f"{name} is registered as a base class (api_base); objects cannot be one")
        if name not in self.classes:
            c = self.classes[name] = self._new(name, base=False, versioned=versioned)
            # inherit what the bases registered so far implement
            members = load_members()
            for key, info in members.class_members(name).items():
                origin = self.bases.get(info.defined_in) if info.defined_in else None
                if origin is None:
                    continue
                for table, entries in origin.own.items():
                    if key in entries:
                        value, always = entries[key]
                        getattr(c, table)[key] = value
                        if always:
                            c.always.add(key)
        return self.classes[name]

    def base(self, name: str) -> ApiClass:
        if name in self.classes:
            raise ApiMemberError(f"{name} is registered as a concrete class (api_class); it cannot also be a base")
        if name not in self.bases:
            members = load_members()
            base = self._new(name, base=True)
            if not any(info.defined_in == name for c in members.classes() for info in members.class_members(c).values()):
                raise ApiMemberError(f"no Factorio class inherits from {name}: register it with api_class")
            self.bases[name] = base
        return self.bases[name]

    def inheritors(self, base: str, key: str) -> list[ApiClass]:
        """The registered concrete classes that have ``key`` from ``base`` in the game."""
        members = load_members()
        out = []
        for c in self.classes.values():
            info = members.member(c.name, key)
            if info is not None and info.defined_in == base and members.has(c.name, key):
                out.append(c)
        return out


REGISTRY = ApiRegistry()


def api_class(name: str, registry: ApiRegistry | None = None, *, versioned: bool = False) -> ApiClass:
    """The registry entry for a Factorio class; ``valid`` and ``object_name`` are answered for every object.
    `versioned`: a class only some supported versions have (2.0's LuaFluidBox); states of other versions never
    bind it."""
    reg = REGISTRY if registry is None else registry
    c = reg.cls(name, versioned=versioned)
    members = load_members()

    def has(key: str) -> bool:
        return members.has(name, key) or versioned and any(members.has(name, key, v) for v in members.versions)

    if "valid" not in c.getters and has("valid"):
        c.getter("valid", always=True)(lambda state, obj: bool(getattr(obj, "valid", True)))
    if "object_name" not in c.getters and has("object_name"):
        c.getter("object_name", always=True)(lambda state, obj: name)
    return c


def api_base(name: str, registry: ApiRegistry | None = None) -> ApiClass:
    """The registry entry for a class Factorio's classes inherit members from (``LuaControl``,
    ``LuaPrototypeBase``): what is registered on it is exposed on every registered class inheriting it."""
    return (REGISTRY if registry is None else registry).base(name)
