"""Eager SDK calls in a real kernel against a real embedded server: a call's result used without `await`, passed on
as an argument, waited for at the time limit, and calls nobody awaited."""

from __future__ import annotations

from factoryverse.runtime import AgentRuntime
from tests.runtime.conftest import run


def _runtime(server) -> AgentRuntime:
    return AgentRuntime.for_server(server.id, remote_view=False)


def test_results_used_directly_passed_on_and_checked_with_isinstance(server):
    async def go():
        async with _runtime(server) as rt:
            given = await rt.run("added = game.add_items(agent, {'coal': 3})\n"
                                 "n = inventory.get_total('coal')\n"
                                 # A Pending as an SDK argument: the SDK gets the number, not the handle.
                                 "stack = inventory.get_item('coal', count=n)\n"
                                 "print(added['coal'], stack, n > 2, [n][0] * 2, str(n), bool(n))")
            kinds = await rt.run("p = inventory.get_placeable('burner-mining-drill')\n"
                                 "print(isinstance(p, PlaceableItem), isinstance(p, MiningDrillItem), "
                                 "isinstance(p, Furnace), isinstance(stack, ItemStack), isinstance(n, int))")
            awaited = await rt.run("print(await inventory.get_total('coal'), await agent.inspect() == "
                                   "agent.inspect())")
            return given, kinds, awaited

    given, kinds, awaited = run(go())
    assert (given.stdout, given.error) == ("3 ItemStack('coal', count=3) True 6 3 True\n", None)
    assert (kinds.stdout, kinds.error) == ("True True False True True\n", None)
    assert awaited.error is None and awaited.stdout.startswith("3 ")


def test_waiting_on_a_result_stops_at_the_time_limit_and_unawaited_errors_are_reported(server):
    async def go():
        async with _runtime(server) as rt:
            # The game would need far longer than the limit to run this many ticks; the program waits on `+ 1`.
            blocked = await rt.run("t = wait_ticks(10**9)\nprint('started')\nprint(t + 1)", timeout=1.5)
            after = await rt.run("print((await clock()).tick >= 0)")
            both = await rt.run("crafting.enqueue('copper-plate', count=5)\nraise ValueError('own')")
            # A helper left unawaited: the program still ends only after its game second has passed.
            slept = await rt.run("t0 = clock().tick\nsleep(1)")
            ticks = await rt.run("(await clock()).tick - t0 >= 60")
            return blocked, after, both, slept, ticks

    blocked, after, both, slept, ticks = run(go())
    assert slept.error is None and (ticks.stdout, ticks.error) == ("True\n", None)
    assert blocked.timed_out and not blocked.restarted and blocked.stdout == "started\n"
    assert "line 3" in blocked.error and "print(t + 1)" in blocked.error
    assert (after.stdout, after.error) == ("True\n", None)
    # The program's own error first, then the refusal of the call it never awaited, with that call's line.
    assert both.error.index("ValueError: own") < both.error.index("CraftRefusedError")
    assert "line 1" in both.error and "crafting.enqueue('copper-plate', count=5)" in both.error
