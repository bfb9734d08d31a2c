"""AgentRuntime against a real embedded server: programs in a real ipykernel, the agent moved over real RCON/UDP."""

from __future__ import annotations

import asyncio
import socket

import pytest

from factoryverse.runtime import (
    AgentRuntime,
    ProgramArgumentError,
    RuntimeClosedError,
    RuntimeStartError,
)
from tests.runtime.conftest import client, run


def _runtime(server, **kwargs) -> AgentRuntime:
    # Without the map: loading the snapshot costs seconds per kernel, and only the remote_view test needs it.
    return AgentRuntime.for_server(server.id, remote_view=False, **kwargs)


def test_variables_persist_and_a_last_expression_shows_its_value(server):
    async def go():
        async with _runtime(server) as rt:
            first = await rt.run("x = 41\nprint('set')")
            second = await rt.run("x + 1")
            unawaited = await rt.run("agent.inspect()")
            own = await rt.run("async def later():\n    return 1\nlater()")
            return first, second, unawaited, own

    first, second, unawaited, own = run(go())
    assert (first.stdout, first.error, first.truncated, first.timed_out) == ("set\n", None, False, False)
    assert (second.stdout, second.error) == ("42\n", None)
    assert second.execution_count == first.execution_count + 1
    # An SDK call left as the last expression runs at once and shows its result, as if awaited.
    assert unawaited.stdout.startswith("AgentState(agent_id=") and unawaited.error is None
    # The program's own coroutine left unawaited is not shown as a value: the program is told it never ran.
    assert own.stdout == "" and "later(...) did not run" in own.stderr and "await" in own.stderr


def test_top_level_await_of_an_sdk_call_moves_the_agent_in_the_game(server):
    async def go():
        async with _runtime(server) as rt:
            result = await rt.run("done = await agent.walk_to(6, -4)\nprint(done.position.x, done.position.y)",
                                  timeout=30)
            # Checked by a client of its own: the game, not the kernel, says where the character is.
            async with client(server) as game:
                state = await game.call(f"agent_{rt.agent_id}", "inspect")
            return rt.agent_id, result, state

    agent_id, result, state = run(go())
    assert result.error is None, result.error
    x, y = (float(v) for v in result.stdout.split())
    assert abs(x - 6) <= 1 and abs(y + 4) <= 1  # the mod's default arrival radius is 1 tile
    assert (state["position"]["x"], state["position"]["y"]) == (x, y)
    assert agent_id >= 1


def test_a_runaway_loop_is_stopped_at_the_time_limit_and_the_next_program_runs(server):
    async def go():
        async with _runtime(server) as rt:
            await rt.run("kept = 'before'")
            loop = await rt.run("n = 0\nwhile True: n += 1", timeout=1.5)
            wait = await rt.run("import asyncio\nawait asyncio.sleep(3600)", timeout=1.5)
            after = await rt.run("print(kept, n > 0)")
            return loop, wait, after

    loop, wait, after = run(go())
    assert loop.timed_out and not loop.restarted
    assert "1.5 s time limit" in loop.error and 'File "<program' in loop.error and "line 2" in loop.error
    # A program waiting on an await is stopped too, at the line it waits on.
    assert wait.timed_out and not wait.restarted and "await asyncio.sleep(3600)" in wait.error
    assert (after.stdout, after.error) == ("before True\n", None)


def test_megabytes_of_print_are_truncated_and_labelled(server):
    async def go():
        async with _runtime(server, max_output=1000) as rt:
            big = await rt.run("import sys\nfor _ in range(3000):\n    print('x' * 999)\nwritten = sys.stderr.write('e' * 5000)")
            small = await rt.run("print('fine')")
            return big, small

    big, small = run(go())
    assert big.truncated and big.error is None
    assert big.stdout.startswith("x" * 999 + "\n")
    # 3000 lines of 1000 characters, 1000 kept: the label gives the exact count missing.
    assert "[stdout truncated: 2,999,000 more characters not shown; the limit is 1,000" in big.stdout
    assert len(big.stdout) < 1400
    assert big.stderr.startswith("e" * 1000) and "[stderr truncated: 4,000 more characters" in big.stderr
    assert (small.stdout, small.truncated) == ("fine\n", False)


def test_a_refused_remote_call_comes_back_as_text_naming_the_method_and_the_games_message(server):
    async def go():
        async with _runtime(server) as rt:
            # Far from any ore (the starting area's patches are not under the spawn point's 2.7-tile reach).
            refused = await rt.run("await agent.mine_resource('iron-ore', 5, (0, 0))")
            unknown = await rt.run("await agent.call('no_such_method')")
            syntax = await rt.run("def broken(:\n    pass")
            return refused, unknown, syntax

    refused, unknown, syntax = run(go())
    assert refused.error is not None and not refused.timed_out
    assert "mine_resource" in refused.error
    assert "await agent.mine_resource('iron-ore', 5, (0, 0))" in refused.error  # the program line it came from
    assert "Error: " in refused.error.splitlines()[-1]
    assert "no_such_method" in unknown.error and "UnknownInterfaceError" in unknown.error
    assert syntax.error.startswith("  File \"<program") and "SyntaxError" in syntax.error


def test_the_game_clock_is_bound_in_the_namespace(server):
    async def go():
        async with _runtime(server) as rt:
            result = await rt.run(
                "a = await pause()\nb = await step(30)\nc = await clock()\nawait resume()\n"
                "print(b.tick - a.tick, b.tick_paused, c.tick == b.tick)"
            )
            return rt.names, result

    names, result = run(go())
    assert (result.stdout, result.error) == ("30 True True\n", None)
    for name in ("agent", "game", "clock", "pause", "resume", "step", "set_speed", "wait_ticks", "wait_until_tick"):
        assert name in names


def test_a_program_that_will_not_stop_gets_a_new_kernel_bound_to_the_same_agent(server):
    async def go():
        async with _runtime(server) as rt:
            first_agent = rt.agent_id
            await rt.run("lost = 1")
            stubborn = await rt.run(
                "while True:\n    try:\n        sum(range(10_000))\n    except Exception:\n        pass", timeout=1)
            after = await rt.run("print(agent.agent_id, 'lost' in globals())")
            died = await rt.run("import os\nos._exit(3)")
            again = await rt.run("print(agent.agent_id)")
            return first_agent, stubborn, after, died, again

    first_agent, stubborn, after, died, again = run(go(), timeout=150)
    assert stubborn.timed_out and stubborn.restarted and "variables are lost" in stubborn.error
    assert (after.stdout, after.error) == (f"{first_agent} False\n", None)
    assert died.restarted and not died.timed_out and died.error.startswith("KernelDied")
    assert again.stdout == f"{first_agent}\n"


def test_interrupt_stops_the_running_program(server):
    async def go():
        async with _runtime(server) as rt:
            with socket.create_server(("127.0.0.1", 0)) as listening:
                port = listening.getsockname()[1]
                listening.setblocking(False)
                loop = asyncio.get_running_loop()
                running = asyncio.create_task(rt.run(
                    f"import socket\nsocket.create_connection(('127.0.0.1', {port})).close()\nwhile True:\n    pass",
                    timeout=60))
                # The program's connection says it is in its loop: no guessing how long it takes to get there.
                conn, _ = await asyncio.wait_for(loop.sock_accept(listening), 30)
                conn.close()
                await rt.interrupt()
                return await running

    result = run(go())
    assert not result.timed_out and not result.restarted
    assert result.error.endswith("ProgramInterrupted: the program was interrupted\n")


def test_attaching_to_an_existing_agent_and_to_one_that_is_not_there(server):
    async def go():
        async with _runtime(server) as first:
            created = first.agent_id
        # The agent outlives the runtime that created it; a new runtime binds it by id and can act with it.
        async with _runtime(server, agent_id=created) as second:
            moved = await second.run("(await agent.walk_to(2, 2)).position.x", timeout=30)
        with pytest.raises(RuntimeStartError) as missing:
            await _runtime(server, agent_id=99_999).start()
        return created, moved, missing.value

    created, moved, missing = run(go())
    assert moved.error is None, moved.error
    assert abs(float(moved.stdout) - 2) <= 1
    assert "no agent 99999" in str(missing) and str(created) in str(missing)


def test_bad_input_gets_typed_errors_and_the_runtime_goes_on(server):
    async def go():
        async with _runtime(server) as rt:
            with pytest.raises(ProgramArgumentError, match="Python source text"):
                await rt.run(b"print(1)")  # type: ignore[arg-type]
            for bad in (0, -1, float("nan"), "5", True):
                with pytest.raises(ProgramArgumentError, match="timeout"):
                    await rt.run("1", timeout=bad)
            # Bad input inside a program: the SDK's typed error comes back as text, and the next program runs.
            as_text = await rt.run("await walking.to('10,5')")
            remote = await rt.run("await Furnace('stone-furnace', (0, 0), agent=agent).add_fuel('coal', 1)")
            ok = await rt.run("1 + 1")
        with pytest.raises(RuntimeClosedError):
            await rt.run("1")
        return as_text, remote, ok

    as_text, remote, ok = run(go())
    assert ok.stdout == "2\n"
    assert "InvalidArgumentError: walking.to: position='10,5' is not a position" in as_text.error
    assert "ViewError" in remote.error and "walk" in remote.error and "REMOTE" in remote.error
    with pytest.raises(RuntimeStartError, match="no server with id 77"):
        AgentRuntime.for_server(77)
    with pytest.raises(ProgramArgumentError, match="max_output"):
        AgentRuntime.for_server(server.id, max_output=0)


def test_remote_view_is_the_servers_live_map_for_one_runtime_at_a_time(server):
    async def go():
        async with AgentRuntime.for_server(server.id) as first:
            async with AgentRuntime.for_server(server.id) as second:
                second_names, second_notes = second.names, second.notes
            patches = await first.run("rows = remote_view.query('SELECT count(*) AS n FROM resource_patch')\n"
                                      "print(rows[0]['n'] > 0)")
            drills = await first.run("len(remote_view.get_entities(\"SELECT * FROM map_entity WHERE entity_name = "
                                     "'burner-mining-drill'\"))")
            return first.names, first.notes, second_names, second_notes, patches, drills

    names, notes, second_names, second_notes, patches, drills = run(go())
    assert "remote_view" in names and notes == []
    assert (patches.stdout, patches.error) == ("True\n", None)
    assert (drills.stdout, drills.error) == ("0\n", None)
    # The game sends its map deltas to one port: a second runtime says so instead of showing a map that never changes.
    assert "remote_view" not in second_names
    assert len(second_notes) == 1 and "remote_view is not bound" in second_notes[0]
    assert str(server.snapshot_udp_port) in second_notes[0]
