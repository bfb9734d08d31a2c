"""Which API members the engine implements, checked against Factorio's member list as they are registered.

Each Lua-visible class is an ApiClass holding Python getters, setters and methods. Registering a member that is not
in both the 2.0 and 2.1 runtime APIs fails at import time, so nothing unreal can reach a mod.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from factoryverse.engine.api.members import load_members
from factoryverse.engine.errors import ApiMemberError

__all__ = ["ApiClass", "ApiRegistry", "REGISTRY", "api_class"]

Getter = Callable[[Any, Any], Any]
Setter = Callable[[Any, Any, Any], None]
Method = Callable[..., Any]


@dataclass
class ApiClass:
    name: str
    getters: dict[str, Getter] = field(default_factory=dict)
    setters: dict[str, Setter] = field(default_factory=dict)
    methods: dict[str, Method] = field(default_factory=dict)
    # Readable even on an invalid object, as in Factorio.
    always: set[str] = field(default_factory=set)
    # Methods implemented in Lua (file name under engine/lua/ returning the function); stateless ones only.
    lua_methods: dict[str, str] = field(default_factory=dict)
    # `#obj`, for the classes Factorio gives a length operator (LuaInventory: its number of slots).
    length: Getter | None = None

    def length_operator(self, fn: Getter) -> Getter:
        if "length" not in load_members().operators(self.name):
            raise ApiMemberError(f"{self.name} has no length operator (#) in Factorio")
        self.length = fn
        return fn

    def _check(self, key: str, kind: str, writable: bool = False) -> None:
        members = load_members()
        info = members.member(self.name, key)
        if info is None or not members.has(self.name, key):
            raise ApiMemberError(f"{self.name}.{key} is not a member of both Factorio 2.0 and 2.1 runtime APIs")
        if info.kind != kind:
            raise ApiMemberError(f"{self.name}.{key} is a {info.kind} in Factorio, not a {kind}")
        if writable and info.readonly:
            raise ApiMemberError(f"{self.name}.{key} is read-only in Factorio")
        if kind == "property" and not writable and getattr(info, "writeonly", False):
            raise ApiMemberError(f"{self.name}.{key} is write-only in Factorio")

    def getter(self, key: str, *, always: bool = False) -> Callable[[Getter], Getter]:
        def deco(fn: Getter) -> Getter:
            self._check(key, "property")
            self.getters[key] = fn
            if always:
                self.always.add(key)
            return fn

        return deco

    def attributes(self, *names: str, **renamed: str) -> None:
        """Getters that read the engine object's attribute of the same name (or `member=attribute`)."""
        for member, attr in [*((n, n) for n in names), *renamed.items()]:
            self.getter(member)(lambda state, obj, _a=attr: getattr(obj, _a))

    def setter(self, key: str) -> Callable[[Setter], Setter]:
        def deco(fn: Setter) -> Setter:
            self._check(key, "property", writable=True)
            self.setters[key] = fn
            return fn

        return deco

    def lua_method(self, key: str, lua_file: str) -> None:
        """Implement a stateless method in Lua (engine/lua/<lua_file>), e.g. where Python would only copy tables."""
        self._check(key, "method")
        self.lua_methods[key] = lua_file

    def method(self, key: str) -> Callable[[Method], Method]:
        def deco(fn: Method) -> Method:
            self._check(key, "method")
            self.methods[key] = fn
            return fn

        return deco


class ApiRegistry:
    def __init__(self) -> None:
        self.classes: dict[str, ApiClass] = {}

    def cls(self, name: str) -> ApiClass:
        if name not in self.classes:
            if name not in load_members().classes():
                raise ApiMemberError(f"{name} is not a Factorio runtime class")
            self.classes[name] = ApiClass(name)
        return self.classes[name]


REGISTRY = ApiRegistry()


def api_class(name: str) -> ApiClass:
    """The registry entry for a Factorio class; ``valid`` and ``object_name`` are answered for every object."""
    c = REGISTRY.cls(name)
    if "valid" not in c.getters and load_members().has(name, "valid"):
        c.getter("valid", always=True)(lambda state, obj: bool(getattr(obj, "valid", True)))
    if "object_name" not in c.getters and load_members().has(name, "object_name"):
        c.getter("object_name", always=True)(lambda state, obj: name)
    return c
