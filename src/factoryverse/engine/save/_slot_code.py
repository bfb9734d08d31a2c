"""Per-class code, generated once, that reads a list of slotted objects into one column per slot and sets columns
back onto new objects.

Why generated: `operator.attrgetter` or `setattr` through `map` is one C call per object and slot, about 40 ns each,
and a save and a load touch some 800,000 slots (benchmarks/save_load.py). A comprehension per slot, and one loop per
class that assigns every slot of an object, run as bytecode the interpreter specializes to direct slot access
(`o.x` on a `__slots__` class), several times faster. The code is built from the class's own slot names, which
are checked to be plain identifiers first; a class whose names are not gets the generic C-call path.

Built by `make cslots`, the C module `_cslots` does the same loops several times faster again (reading each
object's slots at their offsets); it serves every class whose slots are plain object slots, and the generated code
every other class, and the whole save when it is not built.
"""

from __future__ import annotations

import keyword
import operator
from collections import deque
from itertools import repeat
from typing import Any, Callable

try:
    from factoryverse.engine.save import _cslots  # type: ignore[attr-defined]
except ImportError:  # not built (make cslots): the generated Python below does the same
    _cslots = None

__all__ = ["reader", "filler", "distinct", "group", "compiled"]


def compiled() -> bool:
    """Whether the C slot loops are built and used."""
    return _cslots is not None


def distinct(objs: list[Any]) -> list[Any]:
    """`objs` without repeated objects (by identity), in first-seen order."""
    if _cslots is not None:
        return _cslots.distinct(objs)  # type: ignore[no-any-return]
    return list(dict(zip(map(id, objs), objs)).values())


def group(cls: type, names: tuple[str, ...], objs: list[Any]) -> dict[tuple[Any, ...], list[Any]]:
    """`objs` (all of class `cls`) by the values of their slots `names`, keys and members in first-seen order."""
    if _c_serves(cls, names):
        try:
            return _cslots.group(cls, names, objs)  # type: ignore[no-any-return,union-attr]
        except TypeError:
            pass  # an object of a subclass (another layout): read below by name
    read = operator.attrgetter(*names) if len(names) > 1 else (lambda o, _g=operator.attrgetter(names[0]): (_g(o),))
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for obj in objs:
        groups.setdefault(read(obj), []).append(obj)
    return groups


def _c_serves(cls: type, names: tuple[str, ...]) -> bool:
    if _cslots is None:
        return False
    try:  # the module checks each name is a plain object slot of the class
        _cslots.read(cls, names, [])
    except TypeError:
        return False
    return True

Reader = Callable[[list[Any]], list[list[Any]]]
Filler = Callable[[list[Any], list[Any]], None]

_READERS: dict[tuple[type, tuple[str, ...]], Reader] = {}
_FILLERS: dict[tuple[type, tuple[str, ...], tuple[bool, ...]], Filler] = {}


def _plain(names: tuple[str, ...]) -> bool:
    # A name starting with two underscores is mangled inside a class body, so generated code would miss it.
    return all(n.isidentifier() and not keyword.iskeyword(n) and not n.startswith("__") for n in names)


def _compile(source: str, name: str) -> Any:
    space: dict[str, Any] = {"zip": zip}
    exec(compile(source, f"<factoryverse save code: {name}>", "exec"), space)  # noqa: S102 - our own slot names
    return space[name]


def reader(cls: type, names: tuple[str, ...]) -> Reader:
    """A function giving, for a list of `cls` objects, one list per slot in `names` (AttributeError when an object
    lacks one: the caller reads such a class slot by slot)."""
    key = (cls, names)
    found = _READERS.get(key)
    if found is None:
        generic = _generated_reader(cls, names)
        if _c_serves(cls, names):
            def found(objs: list[Any], _read: Any = _cslots.read) -> list[list[Any]]:  # type: ignore[union-attr]
                try:
                    return _read(cls, names, objs)
                except TypeError:  # an object of a subclass (another layout), refused before any was read
                    return generic(objs)
        else:
            found = generic
        _READERS[key] = found
    return found


def _generated_reader(cls: type, names: tuple[str, ...]) -> Reader:
    if _plain(names):
        body = ", ".join(f"[o.{n} for o in objs]" for n in names)
        return _compile(f"def read(objs):\n    return [{body}]\n", "read")  # type: ignore[no-any-return]
    getters = [operator.attrgetter(n) for n in names]

    def read(objs: list[Any]) -> list[list[Any]]:
        return [list(map(g, objs)) for g in getters]
    return read


def filler(cls: type, names: tuple[str, ...], varying: tuple[bool, ...]) -> Filler:
    """A function setting every slot of each object from `columns` (aligned with `names`): a varying column has a
    value per object, the others one value (a 1-tuple) for all. The caller checks the columns' lengths."""
    key = (cls, names, varying)
    found = _FILLERS.get(key)
    if found is None:
        generic = _generated_filler(names, varying)
        if _c_serves(cls, names):
            def found(objs: list[Any], columns: list[Any], _fill: Any = _cslots.fill) -> None:  # type: ignore[union-attr]
                try:
                    _fill(cls, names, objs, columns, varying)
                except TypeError:  # an object of a subclass (another layout), refused before any was set
                    generic(objs, columns)
        else:
            found = generic
        _FILLERS[key] = found
    return found


def _generated_filler(names: tuple[str, ...], varying: tuple[bool, ...]) -> Filler:
    if _plain(names):
        lines = ["def fill(objs, columns):"]
        lines += [f"    c{i} = columns[{i}]" if v else f"    k{i} = columns[{i}][0]" for i, v in enumerate(varying)]
        loop_vars = [f"v{i}" for i, v in enumerate(varying) if v]
        if loop_vars:
            sources = ", ".join(f"c{i}" for i, v in enumerate(varying) if v)
            lines.append(f"    for o, {', '.join(loop_vars)}, in zip(objs, {sources}):")
        else:
            lines.append("    for o in objs:")
        lines += [f"        o.{n} = {'v' if v else 'k'}{i}" for i, (n, v) in enumerate(zip(names, varying))]
        if len(lines) == 2:
            lines.append("        pass")
        return _compile("\n".join(lines) + "\n", "fill")  # type: ignore[no-any-return]

    def fill(objs: list[Any], columns: list[Any]) -> None:
        n = len(objs)
        for name, column in zip(names, columns):
            deque(map(setattr, objs, repeat(name), column if len(column) == n else column * n), 0)
    return fill
