"""What tools/gen_sdk_docs.py documents, read from the SDK with `inspect`: the public surface (`factoryverse.sdk`'s
`__all__` and the SDK classes its methods return), each member's signature, docstring and example, the value types'
fields, and the error tree with each error's `[fv:<code>]`, attributes and the methods the mods declare it for.

tests/sdk/test_api_docs.py holds the SDK to the same reading: a docstring with an example everywhere, full type
hints, typed payloads.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import re
import types
import typing
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable

_EXAMPLE_LINE = re.compile(r"^\s*(>>>|Example:)", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)`'\"][.!?])\s+(?=[A-Z])")
_QUALIFIED = re.compile(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)")


def sdk_module() -> ModuleType:
    import factoryverse.sdk as sdk

    return sdk


def _is_error(obj: Any) -> bool:
    return isinstance(obj, type) and issubclass(obj, BaseException)


def in_sdk(obj: Any) -> bool:
    return getattr(obj, "__module__", "").startswith("factoryverse.sdk")


def docstring(obj: Any) -> str:
    """The cleaned docstring of a function, property or class ('' when it has none of its own)."""
    if isinstance(obj, property):
        obj = obj.fget
    if isinstance(obj, type):
        raw = obj.__dict__.get("__doc__")  # not inherited: a class without one of its own is undocumented
        if raw and dataclasses.is_dataclass(obj) and raw.startswith(f"{obj.__name__}("):
            raw = None  # the signature @dataclass writes in when the class has no docstring
    else:
        raw = getattr(obj, "__doc__", None)
    return inspect.cleandoc(raw) if raw else ""


def has_example(doc: str) -> bool:
    """A docstring shows usage with a doctest line (`>>>`) or an `Example:` line."""
    return bool(_EXAMPLE_LINE.search(doc))


def summary(doc: str) -> str:
    """The docstring's first paragraph as one line."""
    return " ".join(doc.split("\n\n", 1)[0].split())


def first_sentence(doc: str) -> str:
    """The docstring's first sentence, for the compact reference."""
    return _SENTENCE_END.split(summary(doc), 1)[0]


def example(doc: str) -> str:
    """The docstring's first example as one line (`a; b` for several lines)."""
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(">>>"):
            block = [stripped[3:].strip()]
            block += [ln.strip()[3:].strip() for ln in lines[i + 1:] if ln.strip().startswith(("...", ">>>"))]
            return "; ".join(b for b in block if b)
        if stripped.startswith("Example:"):
            rest = stripped[len("Example:"):].strip()
            block = [rest] if rest else []
            for more in lines[i + 1:]:
                if not more.strip():
                    break
                block.append(more.strip())
            return "; ".join(b.strip("`") for b in block if b)
    return ""


def type_text(tp: Any) -> str:
    """A type as a reader writes it: `list[Position] | None`, not `Optional[list[factoryverse.sdk.types.Position]]`
    (and no validator reprs, whose addresses change every run)."""
    if tp is type(None) or tp is None:
        return "None"
    if isinstance(tp, str):
        return _QUALIFIED.sub(r"\1", tp)
    if tp is Any:
        return "Any"
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return type_text(args[0])
    if origin is typing.Union or origin is types.UnionType:
        return " | ".join(type_text(a) for a in args)
    if origin is typing.Literal:
        return f"Literal[{', '.join(repr(a) for a in args)}]"
    if origin is not None:
        name = getattr(origin, "__name__", None) or _QUALIFIED.sub(r"\1", repr(origin))
        return f"{name}[{', '.join('...' if a is Ellipsis else type_text(a) for a in args)}]" if args else name
    if isinstance(tp, type):
        return tp.__name__
    return _QUALIFIED.sub(r"\1", repr(tp))


def _default_text(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    return repr(value)


class _Annotation:
    """An annotation that prints as type_text writes it (inspect.Signature prints annotations with repr)."""

    def __init__(self, tp: Any) -> None:
        self.text = type_text(tp)

    def __repr__(self) -> str:
        return self.text


class _Default:
    """A default that prints as it is written in code (Direction.EAST, not <Direction.EAST: 4>)."""

    def __init__(self, value: Any) -> None:
        self.text = _default_text(value)

    def __repr__(self) -> str:
        return self.text


@dataclass
class Member:
    """One documented function, method or property."""

    name: str
    kind: str  # "async def", "def", "classmethod", "property"
    signature: str
    doc: str
    func: Callable[..., Any]
    owner: type | None = None


@dataclass
class ClassDoc:
    cls: type
    exported: bool
    members: list[Member] = field(default_factory=list)  # those the class itself defines
    fields: list[tuple[str, str]] = field(default_factory=list)  # (name, "type = default")
    aliases: list[str] = field(default_factory=list)  # other names `__all__` exports it under (MapPosition)
    constructor: Member | None = None  # when the class defines __init__ (not models: their fields say it)

    @property
    def name(self) -> str:
        return self.cls.__name__


def _function_member(name: str, raw: Any, owner: type | None) -> Member | None:
    if isinstance(raw, property):
        fget = raw.fget
        ret = fget.__annotations__.get("return", "")
        return Member(name, "property", f"{name}: {type_text(ret)}" if ret else name, docstring(raw), fget, owner)
    kind = "def"
    if isinstance(raw, classmethod):
        raw, kind = raw.__func__, "classmethod"
    elif isinstance(raw, staticmethod):
        raw, kind = raw.__func__, "staticmethod"
    if not inspect.isfunction(raw):
        return None
    if inspect.iscoroutinefunction(raw):
        kind = "async def"
    sig = inspect.signature(raw)
    params = [p for i, p in enumerate(sig.parameters.values())
              if not (i == 0 and p.name in ("self", "cls") and owner is not None)]
    empty = inspect.Parameter.empty
    params = [p.replace(annotation=_Annotation(p.annotation)) if p.annotation is not empty else p for p in params]
    params = [p.replace(default=_Default(p.default)) if isinstance(p.default, enum.Enum) else p for p in params]
    ret = sig.return_annotation
    sig = sig.replace(parameters=params, return_annotation=_Annotation(ret) if ret is not empty else empty)
    return Member(name, kind, f"{name}{sig}", docstring(raw), raw, owner)


def own_members(cls: type) -> list[Member]:
    """The public functions and properties `cls` itself defines, in source order (pydantic's own are not ours)."""
    out = []
    for name, raw in vars(cls).items():
        if (name.startswith("_") and name != "__call__") or name.startswith("model_"):
            continue
        member = _function_member(name, raw, cls)
        if member is not None:
            out.append(member)
    return out


def sdk_bases(cls: type) -> list[type]:
    """The SDK classes `cls` inherits members from, nearest first."""
    return [k for k in cls.__mro__[1:] if in_sdk(k) and k.__name__ != "_Model"]


def _constructor(cls: type) -> Member | None:
    from pydantic import BaseModel

    if issubclass(cls, (BaseModel, enum.Enum)) or dataclasses.is_dataclass(cls):
        return None
    if "__init__" not in vars(cls):
        return None  # a subclass takes its base's arguments, shown there
    member = _function_member(cls.__name__, vars(cls)["__init__"], cls)
    assert member is not None
    member.signature = member.signature.split(" -> ")[0]
    member.doc = ""
    return member


def _fields(cls: type) -> list[tuple[str, str]]:
    from pydantic import BaseModel

    if isinstance(cls, type) and issubclass(cls, BaseModel):
        out = []
        for name, info in cls.model_fields.items():
            default = "" if info.is_required() else f" = {_default_text(info.get_default(call_default_factory=True))}"
            out.append((name, f"{type_text(info.annotation)}{default}"))
        return out
    if dataclasses.is_dataclass(cls):
        return [(f.name, type_text(f.type)) for f in dataclasses.fields(cls)]
    if issubclass(cls, enum.Enum):
        return [(m.name, repr(m.value)) for m in cls]
    return []


def resolve_hints(func: Callable[..., Any]) -> dict[str, Any]:
    """get_type_hints with the SDK's public names in scope (modules import some only under TYPE_CHECKING)."""
    import factoryverse.db as db

    from factoryverse.sdk import accessors, entities

    scope: dict[str, Any] = {"db": db}
    for module in (accessors, entities, sdk_module()):
        scope.update({name: getattr(module, name) for name in module.__all__})
    return typing.get_type_hints(func, globalns={**scope, **func.__globals__})


def _returned_classes(func: Callable[..., Any]) -> list[type]:
    try:
        ret = resolve_hints(func).get("return")
    except Exception:  # an unresolvable hint is what the type-hint test reports; here it just adds nothing
        return []
    found, stack = [], [ret]
    while stack:
        tp = stack.pop()
        if isinstance(tp, type) and in_sdk(tp) and not _is_error(tp):
            found.append(tp)
        stack.extend(typing.get_args(tp))
    return found


def public_classes() -> list[ClassDoc]:
    """Every non-error class of `__all__`, then the SDK classes their members return or their fields hold."""
    sdk = sdk_module()
    docs: dict[type, ClassDoc] = {}
    queue = [(getattr(sdk, name), True) for name in sdk.__all__
             if isinstance(getattr(sdk, name), type) and not _is_error(getattr(sdk, name))]
    while queue:
        cls, exported = queue.pop(0)
        if cls in docs:
            continue
        doc = docs[cls] = ClassDoc(cls, exported, own_members(cls), _fields(cls), constructor=_constructor(cls))
        reached = [c for m in doc.members for c in _returned_classes(m.func)]
        reached += [c for c in _field_classes(cls)]
        queue += [(c, False) for c in reached if c not in docs]
    for name in sdk.__all__:
        obj = getattr(sdk, name)
        if obj in docs and name != obj.__name__:
            docs[obj].aliases.append(name)
    return list(docs.values())


def _field_classes(cls: type) -> list[type]:
    from pydantic import BaseModel

    if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
        return []
    found, stack = [], [info.annotation for info in cls.model_fields.values()]
    while stack:
        tp = stack.pop(0)
        if isinstance(tp, type) and in_sdk(tp) and issubclass(tp, BaseModel):
            found.append(tp)
        stack.extend(typing.get_args(tp))
    return found


def public_functions() -> list[Member]:
    sdk = sdk_module()
    out = []
    for name in sdk.__all__:
        obj = getattr(sdk, name)
        if inspect.isfunction(obj):
            member = _function_member(name, obj, None)
            assert member is not None
            out.append(member)
    return out


def error_classes() -> list[type]:
    """The error tree's classes in the errors module's order (also those `factoryverse.sdk` does not re-export)."""
    from factoryverse.sdk import errors

    return [getattr(errors, n) for n in errors.__all__ if _is_error(getattr(errors, n))]


def error_carries(cls: type) -> list[str]:
    """The attributes an error carries beyond its message: its keyword arguments and properties."""
    names: list[str] = []
    for klass in reversed(cls.__mro__):
        if not in_sdk(klass):
            continue
        init = klass.__dict__.get("__init__")
        if init is not None:
            names += [p.name for p in inspect.signature(init).parameters.values() if p.kind is p.KEYWORD_ONLY]
        names += [n for n, v in vars(klass).items() if isinstance(v, property)]
        names += [n for n in klass.__dict__.get("__annotations__", {}) if not n.startswith("_")]
    if any(n == "code" for k in cls.__mro__ for n in vars(k)):
        names.append("code")
    return sorted(set(names), key=names.index)


def contract_codes() -> list[tuple[str, str, type, list[str]]]:
    """(code, the contract's meaning, the SDK error raised for it, the methods declaring it) per error code."""
    from factoryverse.schemas import load_remote_interfaces
    from factoryverse.sdk.errors import error_class_for_code

    contract = load_remote_interfaces()
    declared: dict[str, list[str]] = {}
    for interface, entry in contract["interfaces"].items():
        for method, spec in entry["methods"].items():
            for code in spec.get("errors", []):
                declared.setdefault(code, []).append(f"{interface}.{method}")
    return [(code, meaning, error_class_for_code(code), declared.get(code, []))
            for code, meaning in contract["error_codes"].items()]


def error_code(cls: type) -> str | None:
    """The `[fv:<code>]` an error class stands for, if any."""
    return getattr(cls, "code", None)
