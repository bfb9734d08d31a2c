"""The SDK's public surface documents and types itself: a docstring with an example on every public class and
method, full type hints, typed payloads, and errors that carry the agent, the method and the game's message.

The surface is what tools/gen_sdk_docs.py documents (read by tools/sdk_surface.py): `factoryverse.sdk.__all__` and the SDK classes its methods
return (CraftJob, Recipe, ...), read from the modules, not from their text.
"""

from __future__ import annotations

import ast
import dataclasses
import doctest
import enum
import importlib.util
import inspect
import sys
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from factoryverse.sdk import errors

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("sdk_surface", ROOT / "tools" / "sdk_surface.py")
surface = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = surface
_spec.loader.exec_module(surface)  # type: ignore[union-attr]

# Methods whose answer is untyped by design: each is the escape hatch under typed methods.
_RAW_BY_DESIGN = {
    "remote_call": "whatever the mod's method answers; the typed methods wrap it",
    "FactoryVerseClient.call": "any interface's method, raw",
    "Agent.call": "any method of agent_<id>, raw",
    "RemoteView.query": "rows of an arbitrary SQL query",
    "build_namespace": "a program's globals: names of every kind",
}
# Payloads still untyped; typing one fails the test until it is struck from this list, so the list stays true.
_UNTYPED_LEFT: set[str] = set()


def _surface() -> list[tuple[str, Any]]:
    """(qualified name, function) of every public function, method and property, each once, where defined."""
    out = [(m.name, m.func) for m in surface.public_functions()]
    for doc in surface.public_classes():
        out += [(f"{doc.name}.{m.name}", m.func) for m in doc.members]
    return out


def _classes() -> list[type]:
    return [doc.cls for doc in surface.public_classes()]


def test_the_surface_is_what_all_exports_and_what_it_returns():
    names = {doc.name for doc in surface.public_classes()}
    assert {"Walking", "Furnace", "Position", "ClockState"} <= names
    assert {"CraftJob", "Recipe", "ResearchJob"} <= names  # returned, not exported by name
    assert "walking.to" not in names and len(_surface()) > 100


@pytest.mark.parametrize("cls", _classes(), ids=lambda c: c.__name__)
def test_every_public_class_has_a_docstring(cls):
    assert surface.docstring(cls), f"{cls.__module__}.{cls.__name__} has no docstring"


@pytest.mark.parametrize("cls", surface.error_classes(), ids=lambda c: c.__name__)
def test_every_error_says_what_it_means(cls):
    assert surface.docstring(cls), f"{cls.__name__} has no docstring: the generated error table needs its meaning"


def test_every_public_method_has_a_docstring():
    missing = [name for name, func in _surface() if not surface.docstring(func)]
    assert not missing, f"public methods without a docstring: {missing}"


def test_every_public_class_and_method_shows_an_example():
    lacking = {name for name, func in _surface() if not surface.has_example(surface.docstring(func))}
    lacking |= {cls.__name__ for cls in _classes() if not surface.has_example(surface.docstring(cls))}
    assert not lacking, f"add an `Example:` line (or a >>> doctest) to these docstrings: {sorted(lacking)}"


def test_every_example_is_python_as_a_program_cell_takes_it():
    # Examples are written for the code-as-action runtime, where top-level `await` works.
    broken = []
    for name, doc in [(n, surface.docstring(f)) for n, f in _surface()] + [
            (c.__name__, surface.docstring(c)) for c in _classes()]:
        code = surface.example(doc)
        try:
            compile(code, f"<example of {name}>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        except SyntaxError as exc:
            broken.append(f"{name}: {code!r} ({exc.msg})")
    assert not broken, broken


def _modules_with_doctests() -> list[types.ModuleType]:
    mods = {sys.modules[getattr(obj, "__module__", "")] for name, obj in _surface()}
    mods |= {sys.modules[cls.__module__] for cls in _classes()}
    return sorted((m for m in mods if ">>>" in inspect.getsource(m)), key=lambda m: m.__name__)


@pytest.mark.parametrize("module", _modules_with_doctests(), ids=lambda m: m.__name__)
def test_doctest_examples_give_what_they_show(module):
    # A `>>>` example is run as written (an `Example:` line needs a game, so only its presence is checked).
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_every_public_function_is_fully_type_hinted():
    problems = []
    for name, func in _surface():
        try:
            hints = surface.resolve_hints(func)
        except Exception as exc:  # an unresolvable hint is a broken one
            problems.append(f"{name}: {exc}")
            continue
        params = list(inspect.signature(func).parameters.values())
        if params and params[0].name in ("self", "cls"):
            params = params[1:]
        problems += [f"{name}({p.name})" for p in params if p.name not in hints]
        if "return" not in hints:
            problems.append(f"{name} -> ?")
    assert not problems, f"missing or broken type hints: {problems}"


def _typed(tp: Any) -> bool:
    """A value the SDK hands back is typed: a pydantic model, a dataclass, an enum, an SDK object, a scalar, or a
    container of those (dict[str, int] is typed; dict[str, Any] is not)."""
    if tp is Any:
        return False
    if tp in (type(None), None, bool, int, float, str):
        return True
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return _typed(args[0])
    if origin is typing.Literal:
        return True
    if origin is not None:
        return all(_typed(a) for a in args if a is not Ellipsis)
    if isinstance(tp, type):
        return (issubclass(tp, (BaseModel, enum.Enum)) or dataclasses.is_dataclass(tp)
                or tp.__module__.startswith("factoryverse.sdk"))
    return False


def test_payloads_are_models_or_typed_dataclasses():
    untyped = set()
    for name, func in _surface():
        if name in _RAW_BY_DESIGN:
            continue
        ret = surface.resolve_hints(func).get("return")
        if not _typed(ret):
            untyped.add(name)
    assert untyped - _UNTYPED_LEFT == set(), "return a pydantic model or a typed dataclass, not Any / dict[str, Any]"
    assert _UNTYPED_LEFT - untyped == set(), "these are typed now: strike them from _UNTYPED_LEFT"


def test_the_payload_rule_can_tell_typed_from_untyped():
    from factoryverse.sdk.types import Position

    assert _typed(list[Position]) and _typed(dict[str, int]) and _typed(Position | None)
    assert not _typed(dict[str, Any]) and not _typed(Any) and not _typed(list[dict[str, Any]])
    assert not _typed(types.SimpleNamespace)


def test_returned_model_types_are_pydantic_models_or_dataclasses():
    for doc in surface.public_classes():
        if doc.fields and not issubclass(doc.cls, enum.Enum):
            assert issubclass(doc.cls, BaseModel) or dataclasses.is_dataclass(doc.cls), doc.name


@pytest.mark.parametrize("cls", [c for c in surface.error_classes() if issubclass(c, errors.RemoteCallError)],
                         ids=lambda c: c.__name__)
def test_every_refusal_carries_the_agent_the_method_and_the_games_message(cls):
    if issubclass(cls, errors.ActionError):
        exc = cls("walk failed", agent_id=3, action_id=7, action="walk_to", detail="no path to (9, 9)")
    else:
        exc = cls("refused", code=cls.code, detail="no path to (9, 9)", interface="agent_3", method="walk_to")
    assert (exc.agent_id, exc.method, exc.detail) == (3, "walk_to", "no path to (9, 9)")
    assert isinstance(exc, errors.FactoryVerseError)


@pytest.mark.parametrize("cls", [c for c in surface.error_classes() if issubclass(c, errors.ViewError)],
                         ids=lambda c: c.__name__)
def test_view_errors_carry_the_agent_and_the_method(cls):
    exc = cls("walk closer", agent_id=2, method="add_fuel")
    assert (exc.agent_id, exc.method, str(exc)) == (2, "add_fuel", "walk closer")
