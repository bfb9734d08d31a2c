"""Runs inside the kernel: one program with top-level await, stoppable, its error sent back as data.

The runtime does not hand programs to IPython's own cell runner: ipykernel turns an interrupt into a cancel
only on a loop that async cells do not run on, so a program awaiting a long walk could not be stopped. Here the
program runs as a task of its own, and SIGINT either raises ProgramInterrupted in the program's code (when it is
computing, or blocked on an SDK result) or cancels the task (when it is awaiting the game). A program ends when
the SDK calls it started have (see _eager), awaited or not.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import linecache
import signal
import sys
import threading
import traceback
from types import FrameType
from typing import Any

from factoryverse.runtime._pending import Calls, Pending, begin_program, end_program

__all__ = ["ProgramInterrupted", "run_program", "install", "publish", "ERROR_MIME", "INFO_MIME", "PROGRAM_PREFIX"]

# Display-data types the parent reads instead of showing: a program's error and the runtime's binding info.
ERROR_MIME = "application/vnd.factoryverse.error+json"
INFO_MIME = "application/vnd.factoryverse.runtime+json"
# Programs' file names; a traceback keeps only these frames, the rest (this module, the SDK) is noise to an agent.
PROGRAM_PREFIX = "<program "


class ProgramInterrupted(Exception):
    """The runtime stopped the program (its time limit ran out). An Exception, not a KeyboardInterrupt: a
    KeyboardInterrupt inside an asyncio task escapes the kernel's event loop."""


_count = 0


def _compile(source: str, filename: str) -> tuple[Any, Any]:
    tree = ast.parse(source, filename, "exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    body = compile(ast.Module(tree.body, type_ignores=[]), filename, "exec", flags=flags)
    expr = compile(last, filename, "eval", flags=flags) if last is not None else None
    return body, expr


async def _execute(source: str, filename: str, ns: dict[str, Any]) -> None:
    body, expr = _compile(source, filename)
    value = None
    for code in (body, expr):
        if code is None:
            continue
        value = eval(code, ns)  # noqa: S307 - running the agent's program is this module's purpose
        if code.co_flags & inspect.CO_COROUTINE:
            value = await value
    if type(value) is Pending:
        # An SDK call left as the last expression (`inventory.get_total("coal")`) shows its result, as if awaited.
        value = await value
    if inspect.iscoroutine(value):
        # The program's own coroutine function, called but never awaited: nothing of it ran.
        value.close()
        print(f"{value.__qualname__}(...) did not run: it is a coroutine function; write `await` before the call",
              file=sys.stderr)
        return
    # A last bare expression shows its value, as the Python prompt does.
    if expr is not None and value is not None:
        ns["_"] = value
        print(repr(value))


async def _guarded(source: str, filename: str, ns: dict[str, Any], calls: Calls) -> None:
    try:
        try:
            await _execute(source, filename, ns)
        except ProgramInterrupted:
            calls.cancel()
            raise
        except Exception:
            await calls.settle()
            raise
        # A program ends when every SDK call it started has, awaited or not (an un-awaited mutation still happens).
        await calls.settle()
    except asyncio.CancelledError as exc:
        calls.cancel()
        # Keeps the cancel's traceback, which shows the program line that was waiting; a cancelled task has none.
        raise ProgramInterrupted("the program was interrupted while it waited").with_traceback(
            exc.__traceback__) from None


def _in_program(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_code.co_filename.startswith(PROGRAM_PREFIX):
            return True
        frame = frame.f_back
    return False


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return "".join(traceback.format_exception_only(type(exc), exc))
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(PROGRAM_PREFIX)]
    lines = []
    if frames:
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_list(frames))
    message = str(exc)
    lines.append(f"{type(exc).__name__}: {message}\n" if message else f"{type(exc).__name__}\n")
    return "".join(lines)


def publish(mime: str, payload: dict[str, Any]) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    from IPython import get_ipython

    get_ipython().display_pub.publish(data={mime: payload}, metadata={})


async def run_program(source: str, ns: dict[str, Any]) -> None:
    """Run `source` in `ns`; an exception is published as ERROR_MIME data, never raised into IPython."""
    global _count
    _count += 1
    filename = f"{PROGRAM_PREFIX}{_count}>"
    # Registered so tracebacks can quote the program's lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    loop = asyncio.get_running_loop()
    calls = begin_program()
    task = loop.create_task(_guarded(source, filename, ns, calls))

    def _on_sigint(signum: int, frame: FrameType | None) -> None:  # noqa: ARG001
        if _in_program(frame):
            raise ProgramInterrupted("the program was interrupted")
        # Waiting on the game: the loop sits in select(), so the cancel must wake it (call_soon would not).
        loop.call_soon_threadsafe(task.cancel)

    # Signal handlers belong to the main thread; a kernel running cells elsewhere stops programs by replacement.
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, _on_sigint) if main else None
    texts: list[str] = []
    ename = ""
    try:
        try:
            await asyncio.shield(task)
        finally:
            end_program()
            if main:
                signal.signal(signal.SIGINT, previous)
    except asyncio.CancelledError:
        task.cancel()  # the cell itself was cancelled (the kernel is shutting down), so the program goes too
        calls.cancel()
        raise
    except BaseException as exc:  # noqa: BLE001 - the program's error, whatever it is, goes back as text
        ename, texts = type(exc).__name__, [_error_text(exc)]
    unseen = calls.failures()
    if unseen:
        ename = ename or "UnawaitedCallError"
        texts.extend(unseen)
    if texts:
        publish(ERROR_MIME, {"ename": ename, "text": "\n".join(texts)})


def install(ns: dict[str, Any]) -> None:
    """Bind the runner as `__fv_run__` in the kernel's namespace (called once when the kernel starts)."""

    async def __fv_run__(source: str) -> None:
        await run_program(source, ns)

    ns["__fv_run__"] = __fv_run__
