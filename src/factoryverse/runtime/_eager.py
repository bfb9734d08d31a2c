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
import concurrent.futures
import inspect
import operator
import sys
import threading
import traceback
from types import FrameType
from typing import Any, Callable, Coroutine

__all__ = ["SdkLoop", "SdkObject", "Pending", "Calls", "wrap", "unwrap", "sdk_loop", "begin_program", "end_program"]

# Program file names start with this (the runtime's _cell names them); a call's site is the innermost such frame.
_PROGRAM_PREFIX = "<program "


class SdkLoop:
    """An asyncio loop on a daemon thread: the SDK's client, listeners and map sync run here for the kernel's life."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), name="factoryverse-sdk", daemon=True)
        self._thread.start()
        ready.wait()

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(ready.set)
        self.loop.run_forever()

    def submit(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def on_loop_thread(self) -> bool:
        return threading.current_thread() is self._thread


_sdk: SdkLoop | None = None
_calls: Calls | None = None


def sdk_loop() -> SdkLoop:
    """The kernel's one SDK loop (started on first use)."""
    global _sdk
    if _sdk is None:
        _sdk = SdkLoop()
    return _sdk


def _site() -> list[traceback.FrameSummary]:
    """The program lines the call is made from, innermost last (for reporting an error nobody awaited)."""
    frame: FrameType | None = sys._getframe(2)
    found = []
    while frame is not None:
        code = frame.f_code
        if code.co_filename.startswith(_PROGRAM_PREFIX):
            # The line's text is looked up when it is shown: the runtime keeps programs' sources in linecache.
            found.append(traceback.FrameSummary(code.co_filename, frame.f_lineno, code.co_name, lookup_line=False))
        frame = frame.f_back
    return found[::-1]


class Pending:
    """A started SDK call: `await` it, or use it as its result (which waits for it here)."""

    __slots__ = ("_fv_future", "_fv_what", "_fv_site", "_fv_seen")

    def __init__(self, future: concurrent.futures.Future[Any], what: str, site: list[traceback.FrameSummary]) -> None:
        object.__setattr__(self, "_fv_future", future)
        object.__setattr__(self, "_fv_what", what)
        object.__setattr__(self, "_fv_site", site)
        object.__setattr__(self, "_fv_seen", False)

    def __await__(self) -> Any:
        object.__setattr__(self, "_fv_seen", True)
        return asyncio.wrap_future(self._fv_future).__await__()

    def _fv_value(self) -> Any:
        object.__setattr__(self, "_fv_seen", True)
        if _sdk is not None and _sdk.on_loop_thread():
            raise RuntimeError(f"{self._fv_what}(...) is used on the SDK's own loop before it finished; await it")
        # Blocking is safe: the call runs on the SDK's thread. SIGINT (the time limit) still breaks this wait.
        return self._fv_future.result()

    @property
    def done(self) -> bool:
        return self._fv_future.done()

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # noqa: PLE0237
        # isinstance(handle, int) asks for this: the result's class, so a handle passes for its result.
        return _class_of(self._fv_value())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fv_value(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._fv_value(), name, value)

    def __repr__(self) -> str:
        return repr(self._fv_value())

    def __str__(self) -> str:
        return str(self._fv_value())

    def __format__(self, spec: str) -> str:
        return format(self._fv_value(), spec)

    def __bool__(self) -> bool:
        return bool(self._fv_value())

    def __len__(self) -> int:
        return len(self._fv_value())

    def __iter__(self) -> Any:
        return iter(self._fv_value())

    def __reversed__(self) -> Any:
        return reversed(self._fv_value())

    def __contains__(self, item: Any) -> bool:
        return item in self._fv_value()

    def __getitem__(self, key: Any) -> Any:
        return self._fv_value()[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._fv_value()[key] = value

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._fv_value()(*args, **kwargs)

    def __hash__(self) -> int:
        return hash(self._fv_value())

    def __int__(self) -> int:
        return int(self._fv_value())

    def __float__(self) -> float:
        return float(self._fv_value())

    def __index__(self) -> int:
        return operator.index(self._fv_value())

    def __round__(self, digits: int | None = None) -> Any:
        return round(self._fv_value(), digits)

    def __abs__(self) -> Any:
        return abs(self._fv_value())

    def __neg__(self) -> Any:
        return -self._fv_value()


def _binary(op: Callable[[Any, Any], Any]) -> tuple[Callable[..., Any], Callable[..., Any]]:
    def forward(self: Pending, other: Any) -> Any:
        return op(self._fv_value(), other)

    def reflected(self: Pending, other: Any) -> Any:
        return op(other, self._fv_value())

    return forward, reflected


for _name, _op in (("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                   ("truediv", operator.truediv), ("floordiv", operator.floordiv), ("mod", operator.mod),
                   ("pow", operator.pow)):
    _fwd, _ref = _binary(_op)
    setattr(Pending, f"__{_name}__", _fwd)
    setattr(Pending, f"__r{_name}__", _ref)
for _name, _op in (("eq", operator.eq), ("ne", operator.ne), ("lt", operator.lt), ("le", operator.le),
                   ("gt", operator.gt), ("ge", operator.ge)):
    setattr(Pending, f"__{_name}__", _binary(_op)[0])


def _class_of(value: Any) -> type:
    if type(value) is SdkObject:
        return _class_of(object.__getattribute__(value, "_fv_target"))
    return type(value)


class Calls:
    """The SDK calls one program started: it ends when they have, and reports the errors nobody saw."""

    def __init__(self) -> None:
        self.futures: list[concurrent.futures.Future[Any]] = []
        self.pending: list[Pending] = []

    async def settle(self) -> None:
        """Wait for every call still running; cancelled (program interrupted) means cancel them all."""
        try:
            for future in list(self.futures):
                if not future.done():
                    try:
                        await asyncio.wrap_future(future)
                    except asyncio.CancelledError:
                        task = asyncio.current_task()
                        if task is not None and task.cancelling():
                            raise  # the program itself is being stopped
                    except Exception:  # noqa: BLE001 - reported by failures(), or raised where it was used
                        pass
        except BaseException:
            self.cancel()
            raise

    def cancel(self) -> None:
        for future in self.futures:
            future.cancel()

    def failures(self) -> list[str]:
        """Each failed call the program never awaited nor used, as a traceback-like text naming its line."""
        out = []
        for p in self.pending:
            future = p._fv_future
            if p._fv_seen or not future.done() or future.cancelled() or future.exception() is None:
                continue
            exc = future.exception()
            lines = ["Traceback (most recent call last):\n", *traceback.format_list(p._fv_site)]
            message = str(exc)
            lines.append(f"{type(exc).__name__}: {message}\n" if message else f"{type(exc).__name__}\n")
            lines.append(f"(the call {p._fv_what}(...) was not awaited: it ran on while the program went on, and "
                         "failed; `await` it to stop at its error)\n")
            out.append("".join(lines))
        return out


def begin_program() -> Calls:
    """Start recording the calls of the program about to run."""
    global _calls
    _calls = Calls()
    return _calls


def end_program() -> None:
    global _calls
    _calls = None


# --- wrapping -------------------------------------------------------------------------------------------------
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
    if inspect.iscoroutinefunction(value):
        return _Method(value, getattr(value, "__qualname__", "call"))
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
        calls = _calls
        if calls is not None:
            calls.futures.append(future)
        if not inspect.iscoroutinefunction(self._fv_fn):
            # A plain method: its value now, as written (it ran on the SDK's thread, beside the SDK's own work).
            return future.result()
        pending = Pending(future, self._fv_what, _site())
        if calls is not None:
            calls.pending.append(pending)
        return pending

    def __repr__(self) -> str:
        return f"<SDK call {self._fv_what}>"


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
