"""Receiving action completions: the mods send one action_completed datagram per finished async action."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from types import TracebackType

import asyncio_dgram

from factoryverse.schemas import WireSchemaError, validate_wire_record
from factoryverse.sdk.errors import ActionTimeoutError, ListenerError
from factoryverse.sdk.types import ActionCompleted

__all__ = ["ActionListener"]

_log = logging.getLogger("factoryverse.sdk.udp")

_Key = tuple[int, int]


class ActionListener:
    """A UDP socket on `host:port` (0 = any free port) that matches completions to waiters.

    Completions are keyed by (agent_id, action_id). One that arrives before anyone waits for it is kept
    (up to `buffer_limit`, oldest dropped first), because a fast game can finish an action before the
    RCON reply that started it has even been read. Malformed datagrams are counted and ignored.

    Example: `listener = ActionListener(); await listener.start(); done = await listener.wait_for(1, 7, 30)`
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, buffer_limit: int = 1024) -> None:
        self.host = host
        self._requested_port = port
        self.buffer_limit = buffer_limit
        self._stream: asyncio_dgram.DatagramServer | None = None
        self._port: int | None = None
        self._reader: asyncio.Task[None] | None = None
        self._waiters: dict[_Key, list[asyncio.Future[ActionCompleted]]] = {}
        self._buffered: OrderedDict[_Key, ActionCompleted] = OrderedDict()
        self._closed = False
        self.received = 0
        self.malformed = 0
        self.dropped = 0
        # Completions read from the game's log after their datagram did not arrive (counted by Agent).
        self.recovered = 0
        self.last_malformed: str | None = None

    @property
    def port(self) -> int:
        """The UDP port it listens on (the free port chosen when created with 0); ListenerError before start().

        Example: `await game.call('agent', 'create_agent', listener.port)`
        """
        if self._port is None:
            raise ListenerError("the action listener has no port yet; await start() first")
        return self._port

    @property
    def running(self) -> bool:
        """Whether start() has run and close() has not.

        Example: `assert listener.running, 'start() it first (a closed listener cannot restart)'`
        """
        return self._stream is not None and not self._closed

    async def start(self) -> None:
        """Bind the socket and start receiving completions; once per listener (ListenerError on a second start).

        Example: `listener = ActionListener(port=0); await listener.start()`
        """
        if self._stream is not None or self._closed:
            raise ListenerError("this ActionListener was already started; create a new one")
        try:
            self._stream = await asyncio_dgram.bind((self.host, self._requested_port))
        except OSError as exc:
            raise ListenerError(
                f"cannot bind the action listener to UDP {self.host}:{self._requested_port} ({exc}); "
                "pass port=0 for any free port"
            ) from exc
        self._port = int(self._stream.sockname[1])
        self._reader = asyncio.create_task(self._read_loop(), name=f"fv-action-listener-{self.port}")

    async def close(self) -> None:
        """Stop listening; waiters get ListenerError. Safe to call more than once.

        Example: `await listener.close()`
        """
        if self._closed:
            return
        self._closed = True
        if self._stream is not None:
            self._stream.close()
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        for key, waiters in self._waiters.items():
            for fut in waiters:
                if not fut.done():
                    fut.set_exception(ListenerError(
                        f"the action listener closed while waiting for action {key[1]} of agent {key[0]}"
                    ))
        self._waiters.clear()

    async def __aenter__(self) -> ActionListener:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def pending(self) -> list[_Key]:
        """Keys of completions received and not yet waited for, oldest first.

        Example: `unclaimed = listener.pending()`
        """
        return list(self._buffered)

    async def wait_for(
        self, agent_id: int, action_id: int, timeout: float, *, action: str = "action"
    ) -> ActionCompleted:
        """The completion of that action; raises ActionTimeoutError after `timeout` seconds.

        Example: `done = await listener.wait_for(agent.agent_id, started['action_id'], timeout=30)`
        """
        key = (agent_id, action_id)
        if key in self._buffered:
            return self._buffered.pop(key)
        if self._closed or self._stream is None:
            raise ListenerError("the action listener is not running; start() it before waiting for actions")
        fut: asyncio.Future[ActionCompleted] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(key, []).append(fut)
        try:
            return await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError as exc:
            if fut.done() and not fut.cancelled():
                return fut.result()
            raise ActionTimeoutError(
                f"no completion of {action} (action {action_id} of agent {agent_id}) arrived on UDP "
                f"{self.host}:{self.port} within {timeout:g}s. The action may still be running: check that the "
                "game is running ticks (not paused), that it can send UDP to this machine (real Factorio needs "
                "--enable-lua-udp), or pass a larger timeout",
                agent_id=agent_id, action_id=action_id, action=action,
            ) from exc
        finally:
            # A waiter that gave up must not swallow a late completion: without waiters it is buffered.
            waiters = self._waiters.get(key)
            if waiters is not None and fut in waiters:
                waiters.remove(fut)
                if not waiters:
                    del self._waiters[key]

    async def _read_loop(self) -> None:
        stream = self._stream
        assert stream is not None
        while True:
            try:
                data, _addr = await stream.recv()
            except asyncio_dgram.TransportClosed:
                return
            except OSError as exc:
                # An ICMP error reported on the socket is not a reason to stop listening.
                _log.debug("action listener socket error ignored: %s", exc)
                continue
            self._handle(data)

    def _handle(self, data: bytes) -> None:
        self.received += 1
        try:
            record = json.loads(data.decode("utf-8"))
            validate_wire_record(record, "agent_udp")
            completed = ActionCompleted.model_validate(record)
        except (UnicodeDecodeError, json.JSONDecodeError, WireSchemaError, ValueError) as exc:
            self.malformed += 1
            self.last_malformed = f"{exc} (datagram: {data[:120]!r})"
            _log.warning("ignoring a malformed action datagram: %s", self.last_malformed)
            return
        key = (completed.agent_id, completed.action_id)
        waiters = [fut for fut in self._waiters.pop(key, []) if not fut.done()]
        if waiters:
            for fut in waiters:
                fut.set_result(completed)
            return
        self._buffered[key] = completed
        while len(self._buffered) > self.buffer_limit:
            self._buffered.popitem(last=False)
            self.dropped += 1
