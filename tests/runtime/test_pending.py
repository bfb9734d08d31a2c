"""Pending results and eager proxies in this process (no kernel, no game): the SDK's loop thread is real, the SDK
object is a small class of coroutine methods, so each rule of the proxies is checked on its own."""

from __future__ import annotations

import asyncio
import inspect
import linecache

import pytest

from factoryverse.runtime._eager import SdkObject, wrap
from factoryverse.runtime._pending import Pending, begin_program, end_program
from factoryverse.runtime._sdk_loop import sdk_loop


class Counter:
    """Stands for an SDK object: coroutine methods that must run on the SDK's loop, and plain ones."""

    def __init__(self, start: int = 0) -> None:
        self.value = start

    async def add(self, n: int) -> int:
        """Add n."""
        assert sdk_loop().on_loop_thread(), "SDK coroutines run on the SDK's loop"
        self.value += n
        return self.value

    async def refuse(self, why: str) -> None:
        raise ValueError(why)

    async def pair(self) -> list[Counter]:
        return [Counter(1), Counter(2)]

    def label(self) -> str:
        return f"counter at {self.value}"


def test_a_coroutine_method_gives_a_pending_result_usable_directly():
    counter = wrap(Counter(40))
    assert type(counter) is SdkObject and isinstance(counter, Counter)
    total = counter.add(2)
    assert type(total) is Pending
    assert total == 42 and total + 1 == 43 and 1 + total == 43 and f"{total:>4}" == "  42" and isinstance(total, int)
    assert counter.label() == "counter at 42"  # a plain method gives its value
    first, second = counter.pair()
    assert type(first) is SdkObject and first.add(counter.add(0)) == 43  # a Pending argument is its result


def test_a_proxied_method_shows_the_sdk_methods_signature_and_docstring():
    add = wrap(Counter()).add
    assert str(inspect.signature(add)) == "(n: 'int') -> 'int'" and add.__doc__ == Counter.add.__doc__


def test_await_gives_the_result_and_the_error():
    counter = wrap(Counter())

    async def program() -> tuple[int, str]:
        got = await counter.add(5)
        with pytest.raises(ValueError, match="refused here") as refused:
            await counter.refuse("refused here")
        return got, str(refused.value)

    assert asyncio.run(program()) == (5, "refused here")


def test_a_class_with_coroutines_is_proxied_and_isinstance_holds():
    counter_class = wrap(Counter)
    made = counter_class(3)
    assert type(made) is SdkObject and isinstance(made, counter_class) and made.value == 3


def test_an_unawaited_failure_is_reported_with_the_line_that_made_it():
    source = "counter.add(1)\ncounter.refuse('the game said no')\n"
    filename = "<program 9001>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    ns = {"counter": wrap(Counter())}
    calls = begin_program()
    try:
        exec(compile(source, filename, "exec"), ns)  # noqa: S102 - a program, as the runtime runs one
        asyncio.run(calls.settle())
    finally:
        end_program()
    (text,) = calls.failures()
    assert 'File "<program 9001>", line 2' in text and "counter.refuse('the game said no')" in text
    assert "ValueError: the game said no" in text and "was not awaited" in text
    assert ns["counter"].value == 1  # the un-awaited add ran too
