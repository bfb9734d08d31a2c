"""Eager SDK calls: how a program may use the SDK with or without `await`, as the seed's examples do.

Inside the runtime the SDK lives on an event loop of its own, on a thread of its own (`SdkLoop`). A program sees
every SDK object that has coroutine methods (accessors, entities, views, jobs, the classes that make them) through
an `SdkObject`; calling one of its methods starts the call on the SDK's loop at once:

* a coroutine method gives back a `Pending`: `await` it for the result, or use it directly (attribute, index,
  iteration, len, bool, str/repr, format, comparisons, arithmetic), which waits for the result right there. Its
  error is raised where it is awaited or used;
* a plain method gives back its value (the call ran on the SDK's thread, so it never races the SDK's own work).

Because waiting happens on the program's thread while the SDK runs on its own, a program can block on a result
without stopping the game calls it waits for. A call nobody awaited still runs; the program ends only when all
its calls have (`Calls.settle`), and an error nobody saw is reported with the line that made the call. Values
(positions, stacks, pydantic results, numbers) pass through unwrapped.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from typing import Any, Callable

from factoryverse.runtime._pending import Pending, call_site, current_calls
from factoryverse.runtime._sdk_loop import sdk_loop

__all__ = ["SdkObject", "wrap", "unwrap"]

_ASYNC_TYPES: dict[type, bool] = {}


def _has_coroutines(cls: type) -> bool:
    known = _ASYNC_TYPES.get(cls)
    if known is None:
        known = False
        if not issubclass(cls, BaseException):
            for name in dir(cls):
                try:
                    attr = inspect.getattr_static(cls, name)
                except AttributeError:
                    continue
                if isinstance(attr, (staticmethod, classmethod)):
                    attr = attr.__func__
                if inspect.iscoroutinefunction(attr):
                    known = True
                    break
        _ASYNC_TYPES[cls] = known
    return known


def wrap(value: Any) -> Any:
    """What a program gets for an SDK value: SDK objects with coroutine methods proxied, values as they are."""
    if type(value) in (SdkObject, Pending, _Method) or isinstance(value, (str, bytes, int, float, type(None))):
        return value
    if isinstance(value, list):
        return [wrap(v) for v in value]
    if isinstance(value, tuple) and type(value) is tuple:
        return tuple(wrap(v) for v in value)
    if isinstance(value, dict) and type(value) is dict:
        return {k: wrap(v) for k, v in value.items()}
    if isinstance(value, type):
        return SdkObject(value) if _has_coroutines(value) else value
    if inspect.iscoroutinefunction(value) or inspect.isroutine(value) or isinstance(value, functools.partial):
        # The SDK's functions too (helpers, the clock): they run on the SDK's loop, with the SDK's own objects.
        return _Method(value, getattr(value, "__qualname__", None) or getattr(value, "__name__", "call"))
    if _has_coroutines(type(value)):
        return SdkObject(value)
    return value


async def unwrap(value: Any) -> Any:
    """The SDK's own object for a program's argument (run on the SDK's loop: a Pending is awaited there)."""
    kind = type(value)
    if kind is SdkObject:
        return object.__getattribute__(value, "_fv_target")
    if kind is Pending:
        object.__setattr__(value, "_fv_seen", True)
        return await unwrap(await asyncio.wrap_future(value._fv_future))
    if kind is _Method:
        return value._fv_fn
    if isinstance(value, list):
        return [await unwrap(v) for v in value]
    if isinstance(value, tuple) and type(value) is tuple:
        return tuple([await unwrap(v) for v in value])
    if isinstance(value, dict) and type(value) is dict:
        return {k: await unwrap(v) for k, v in value.items()}
    return value


async def _invoke(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    real_args = [await unwrap(a) for a in args]
    real_kwargs = {k: await unwrap(v) for k, v in kwargs.items()}
    result = fn(*real_args, **real_kwargs)
    if inspect.isawaitable(result):
        result = await result
    return wrap(result)


class _Method:
    """An SDK callable as a program sees it: calling it starts the call on the SDK's loop."""

    __slots__ = ("_fv_fn", "_fv_what")

    def __init__(self, fn: Callable[..., Any], what: str) -> None:
        self._fv_fn = fn
        self._fv_what = what

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        loop = sdk_loop()
        if loop.on_loop_thread():
            raise RuntimeError(f"{self._fv_what} was called on the SDK's own loop; call it from the program")
        future = loop.submit(_invoke(self._fv_fn, args, kwargs))
        calls = current_calls()
        if calls is not None:
            calls.futures.append(future)
        if not inspect.iscoroutinefunction(self._fv_fn):
            # A plain method: its value now, as written (it ran on the SDK's thread, beside the SDK's own work).
            return future.result()
        pending = Pending(future, self._fv_what, call_site())
        if calls is not None:
            calls.pending.append(pending)
        return pending

    def __repr__(self) -> str:
        return f"<SDK call {self._fv_what}>"

    @property
    def __wrapped__(self) -> Callable[..., Any]:
        # inspect.signature(walking.to) follows this to the SDK method's own signature.
        return self._fv_fn


# An agent reading `walking.to.__doc__` gets the SDK method's docstring, not this class's.
_Method.__doc__ = property(lambda self: self._fv_fn.__doc__)  # type: ignore[assignment]


class SdkObject:
    """An SDK object (or class) as a program sees it: the same attributes, with its methods made eager."""

    __slots__ = ("_fv_target",)

    def __init__(self, target: Any) -> None:
        object.__setattr__(self, "_fv_target", target)

    def __getattr__(self, name: str) -> Any:
        target = object.__getattribute__(self, "_fv_target")
        value = getattr(target, name)
        if inspect.ismethod(value) or inspect.isfunction(value) or inspect.isbuiltin(value):
            owner = target.__name__ if isinstance(target, type) else type(target).__name__
            return _Method(value, f"{owner}.{name}")
        return wrap(value)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(object.__getattribute__(self, "_fv_target"), name, value)

    def __dir__(self) -> list[str]:
        return dir(object.__getattribute__(self, "_fv_target"))

    def _fv_call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        target = object.__getattribute__(self, "_fv_target")
        if name == "__call__" and isinstance(target, type):
            fn, what = target, target.__name__
        else:
            fn, what = getattr(target, name), f"{type(target).__name__}.{name}"
        return _Method(fn, what)(*args, **kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._fv_call("__call__", *args, **kwargs)

    def __repr__(self) -> str:
        return repr(object.__getattribute__(self, "_fv_target"))

    def __str__(self) -> str:
        return str(object.__getattribute__(self, "_fv_target"))

    def __format__(self, spec: str) -> str:
        return format(object.__getattribute__(self, "_fv_target"), spec)

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # noqa: PLE0237
        # isinstance(furnace, Furnace) with the SDK's own class holds, as it would outside the runtime.
        target = object.__getattribute__(self, "_fv_target")
        return type(target)

    def __eq__(self, other: Any) -> bool:
        mine = object.__getattribute__(self, "_fv_target")
        theirs = object.__getattribute__(other, "_fv_target") if type(other) is SdkObject else other
        return bool(mine == theirs)

    def __hash__(self) -> int:
        return hash(object.__getattribute__(self, "_fv_target"))

    def __bool__(self) -> bool:
        return bool(object.__getattribute__(self, "_fv_target"))

    def __len__(self) -> int:
        return len(object.__getattribute__(self, "_fv_target"))

    def __iter__(self) -> Any:
        return iter(wrap(list(object.__getattribute__(self, "_fv_target"))))

    def __getitem__(self, key: Any) -> Any:
        return wrap(object.__getattribute__(self, "_fv_target")[key])

    def __instancecheck__(self, obj: Any) -> bool:
        # `isinstance(furnace, Furnace)` with both proxied: the check is the SDK objects' own.
        target = object.__getattribute__(self, "_fv_target")
        if type(obj) is Pending:
            obj = obj._fv_value()
        if type(obj) is SdkObject:
            obj = object.__getattribute__(obj, "_fv_target")
        return isinstance(target, type) and isinstance(obj, target)

    def __subclasscheck__(self, cls: Any) -> bool:
        target = object.__getattribute__(self, "_fv_target")
        if type(cls) is SdkObject:
            cls = object.__getattribute__(cls, "_fv_target")
        return isinstance(target, type) and isinstance(cls, type) and issubclass(cls, target)

    def __aenter__(self) -> Any:
        return self._fv_call("__aenter__")

    def __aexit__(self, *exc_info: Any) -> Any:
        return self._fv_call("__aexit__", *exc_info)
