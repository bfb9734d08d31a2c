"""What the runtime's eager SDK calls add to a call: the hop to the SDK's loop thread and back.

    python benchmarks/runtime_eager_calls.py [--calls 20000]

In this process, no kernel and no game: an object with one coroutine method and one plain method is seen through
the runtime's proxy (factoryverse.runtime._eager.wrap), as a program sees the SDK. Timed: the plain method called
directly, through the proxy (its value back), and the coroutine method through the proxy with its Pending used
directly (`int(...)`: a blocking wait on the program's thread). Process CPU time (both threads) per call, since
the machine is shared. A game call itself is an RCON round trip of about a millisecond (rcon_roundtrip.py):
exit status 1 when a proxied coroutine call costs more than TARGET_US of CPU.
"""

from __future__ import annotations

import argparse
import time

from factoryverse.runtime._eager import wrap

# A tenth of an RCON round trip: the eager form must cost little next to the game call it starts.
TARGET_US = 100.0


class _Sdk:
    async def answer(self, n: int) -> int:
        return n

    def plain(self, n: int) -> int:
        return n


def _per_call_us(fn, calls: int) -> float:
    start = time.process_time()
    for i in range(calls):
        fn(i)
    return (time.process_time() - start) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    calls = parser.parse_args().calls
    raw, proxied = _Sdk(), wrap(_Sdk())
    direct = _per_call_us(raw.plain, calls)
    plain = _per_call_us(proxied.plain, calls)
    coro = _per_call_us(lambda i: int(proxied.answer(i)), calls)
    print(f"plain method, direct:            {direct:8.2f} us CPU per call")
    print(f"plain method, through the proxy: {plain:8.2f} us CPU per call")
    print(f"coroutine method, used directly: {coro:8.2f} us CPU per call")
    ok = coro <= TARGET_US
    print(f"proxied coroutine call {coro:.1f} us, target <= {TARGET_US:g} us: {'met' if ok else 'MISSED'}")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
