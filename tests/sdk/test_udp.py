"""ActionListener with real UDP datagrams on localhost."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import pytest

from factoryverse.sdk import ActionListener, ActionTimeoutError, ListenerError

from .conftest import run


def _record(agent_id: int = 1, action_id: int = 7, **overrides: Any) -> dict[str, Any]:
    record = {
        "type": "action_completed", "schema_version": 3, "agent_id": agent_id, "action_id": action_id,
        "action": "walk_to", "success": True, "tick": 120, "result": {"position": {"x": 1, "y": 2}},
    }
    record.update(overrides)
    return record


def _send(port: int, payload: bytes | dict[str, Any]) -> None:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(data, ("127.0.0.1", port))


async def _until(condition, what: str) -> None:
    """Yield to the loop until the listener has processed what was sent (datagrams on loopback are immediate)."""
    async def _loop() -> None:
        while not condition():
            await asyncio.sleep(0)

    try:
        await asyncio.wait_for(_loop(), 5)
    except asyncio.TimeoutError as exc:
        raise AssertionError(f"timed out waiting for {what}") from exc


def test_a_completion_resolves_its_waiter():
    async def scenario():
        async with ActionListener() as listener:
            waiter = asyncio.create_task(listener.wait_for(1, 7, timeout=5))
            await _until(lambda: listener._waiters, "the waiter to register")
            _send(listener.port, _record())
            return await waiter

    done = run(scenario())
    assert (done.agent_id, done.action_id, done.success) == (1, 7, True)
    assert done.result == {"position": {"x": 1, "y": 2}}


def test_malformed_datagrams_are_counted_and_ignored():
    bad = [
        b"not json at all",
        b"\xff\xfe",
        json.dumps([1, 2]).encode(),
        _record(type="entity_built"),
        _record(success="yes"),
        _record(schema_version=1),
        _record(result=[]),  # the mods always send a non-empty result, so [] breaks the contract
        {k: v for k, v in _record().items() if k != "tick"},
    ]

    async def scenario():
        async with ActionListener() as listener:
            for payload in bad:
                _send(listener.port, payload)
            _send(listener.port, _record(action_id=9))
            done = await listener.wait_for(1, 9, timeout=5)
            await _until(lambda: listener.received == len(bad) + 1, "every datagram")
            return done, listener.malformed, listener.pending()

    done, malformed, pending = run(scenario())
    assert done.action_id == 9
    assert malformed == len(bad)
    assert pending == []


def test_a_completion_that_arrives_before_the_wait_is_kept():
    async def scenario():
        async with ActionListener() as listener:
            _send(listener.port, _record(agent_id=3, action_id=11))
            await _until(lambda: listener.pending() == [(3, 11)], "the early datagram")
            done = await listener.wait_for(3, 11, timeout=5)
            return done, listener.pending()

    done, pending = run(scenario())
    assert done.action_id == 11
    assert pending == []


def test_timeout_says_what_to_check_and_a_late_completion_is_not_lost():
    async def scenario():
        async with ActionListener() as listener:
            with pytest.raises(ActionTimeoutError) as caught:
                await listener.wait_for(2, 5, timeout=0.05, action="mine_resource")
            _send(listener.port, _record(agent_id=2, action_id=5))
            await _until(lambda: listener.pending() == [(2, 5)], "the late datagram")
            late = await listener.wait_for(2, 5, timeout=5)
            return caught.value, late

    error, late = run(scenario())
    assert (error.agent_id, error.action_id, error.action) == (2, 5, "mine_resource")
    assert "paused" in str(error) and "mine_resource" in str(error)
    assert late.action_id == 5


def test_closing_fails_the_waiters():
    async def scenario():
        listener = ActionListener()
        await listener.start()
        waiter = asyncio.create_task(listener.wait_for(1, 1, timeout=5))
        await _until(lambda: listener._waiters, "the waiter to register")
        await listener.close()
        await listener.close()
        return await waiter

    with pytest.raises(ListenerError, match="closed while waiting"):
        run(scenario())


def test_the_buffer_is_bounded():
    async def scenario():
        async with ActionListener(buffer_limit=2) as listener:
            for action_id in (1, 2, 3):
                _send(listener.port, _record(action_id=action_id))
            await _until(lambda: listener.received == 3, "three datagrams")
            return listener.pending(), listener.dropped

    assert run(scenario()) == ([(1, 2), (1, 3)], 1)
