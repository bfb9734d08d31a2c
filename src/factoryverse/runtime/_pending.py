"""Pending results: an SDK call a program started, to `await` or to use directly as its result.

Using one directly (attribute, index, iteration, len, bool, str/repr, format, comparisons, arithmetic,
isinstance) waits for the result on the program's thread: safe, because the call runs on the SDK's own loop
(_sdk_loop). `Calls` records the calls of one program, so the program ends only when they have, and reports the
errors of those nobody awaited or used, with the program line that made them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import operator
import sys
import traceback
from types import FrameType
from typing import Any, Callable

from factoryverse.runtime._sdk_loop import on_sdk_thread

__all__ = ["Pending", "Calls", "call_site", "begin_program", "end_program", "current_calls"]

# Program file names start with this (the runtime's _cell names them); a call's site is the innermost such frame.
_PROGRAM_PREFIX = "<program "

_calls: Calls | None = None


def call_site() -> list[traceback.FrameSummary]:
    """The program lines the call is made from, innermost last (for reporting an error nobody awaited)."""
    frame: FrameType | None = sys._getframe(1)
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
        if on_sdk_thread():
            raise RuntimeError(f"{self._fv_what}(...) is used on the SDK's own loop before it finished; await it")
        # Blocking is safe: the call runs on the SDK's thread. SIGINT (the time limit) still breaks this wait.
        return self._fv_future.result()

    @property
    def done(self) -> bool:
        return self._fv_future.done()

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # noqa: PLE0237
        # isinstance(handle, int) asks for this: the result's class, so a handle passes for its result.
        return self._fv_value().__class__  # an SDK object's proxy answers with the SDK object's class

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


def current_calls() -> Calls | None:
    """The running program's calls (None between programs: a call made then is not waited for)."""
    return _calls
