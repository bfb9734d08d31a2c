"""AgentRuntime: a Jupyter kernel bound to one agent, running programs with a time limit and an output limit.

Programs run in the kernel's process, so a runaway loop is interrupted (and, if it will not stop, its kernel is
replaced) while the caller goes on. The kernel is ipykernel started through jupyter_client; each program goes to
the kernel's `__fv_run__` (see _cell), which runs it as a task of its own and sends its error back as data.
"""

from __future__ import annotations

import asyncio
import math
import numbers
import os
import queue
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager

from factoryverse.runtime._env import (ENV_AGENT, ENV_HOST, ENV_PASSWORD, ENV_PORT, ENV_SERVER, ENV_SNAPSHOT_DIR,
                                       ENV_SNAPSHOT_UDP)
from factoryverse.runtime._cell import ERROR_MIME, INFO_MIME
from factoryverse.runtime._limits import DEFAULT_TIMEOUT, INTERRUPT_GRACE
from factoryverse.runtime._errors import ProgramArgumentError, RuntimeClosedError, RuntimeStartError
from factoryverse.runtime._result import DEFAULT_MAX_OUTPUT, OutputBuffer, RunResult

__all__ = ["AgentRuntime", "DEFAULT_TIMEOUT", "INTERRUPT_GRACE"]

# Kernel start plus connecting to the game and binding the agent; a loaded 2-core machine needs the slack.
_START_TIMEOUT = 60.0
# How often a run checks that the kernel is still alive while no output arrives.
_ALIVE_CHECK_S = 0.5
_SETUP = "from factoryverse.runtime._cell import install as __fv_install\n__fv_install(globals())\ndel __fv_install"
# Through the program runner, so a failure comes back as the same readable text as a program's.
_BIND = ("await __fv_run__('from factoryverse.runtime._bootstrap import bootstrap as __fv_bootstrap\\n"
         "await __fv_bootstrap(globals())')")


class _ThisPython(KernelSpecManager):
    """The kernel is always this interpreter's ipykernel: an installed `python3` kernel spec may name another
    Python, one without factoryverse."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:  # noqa: ARG002
        return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                          display_name="FactoryVerse agent", language="python", interrupt_mode="signal")


def _check_timeout(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ProgramArgumentError(f"run: timeout must be a number of seconds above 0, not {value!r}")
    return float(value)


class _Collected:
    def __init__(self, max_output: int, limit: float) -> None:
        self.limit = limit
        self.stdout = OutputBuffer(max_output)
        self.stderr = OutputBuffer(max_output)
        self.timed_out = False
        self.restarted = False
        self.error: dict[str, Any] | None = None
        self.info: dict[str, Any] | None = None

    def take(self, msg: dict[str, Any]) -> None:
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            (self.stderr if content.get("name") == "stderr" else self.stdout).write(content.get("text", ""))
        elif kind in ("display_data", "execute_result"):
            data = content.get("data", {})
            if ERROR_MIME in data:
                self.error = data[ERROR_MIME]
            elif INFO_MIME in data:
                self.info = data[INFO_MIME]
            elif "text/plain" in data:
                self.stdout.write(data["text/plain"] + "\n")
        elif kind == "error":  # raised outside the program's runner; not expected, but never dropped
            self.error = {"ename": content.get("ename", "Error"),
                          "text": f"{content.get('ename')}: {content.get('evalue')}\n"}


class AgentRuntime:
    """A Python runtime bound to one agent of one game: `async with AgentRuntime.for_server(0) as rt:
    result = await rt.run("await agent.walk_to(5, 5)")`.

    The programs' namespace holds `agent`, `game` (the FactoryVerseClient), the clock (`clock`, `pause`, `resume`,
    `step`, `set_speed`, `wait_ticks`, `wait_until_tick`) and the SDK's names (build_namespace's, where the SDK has
    it); variables persist from one program to the next. With `agent_id` None a new agent is created. Given the
    server's `snapshot_dir` (its script-output's fv_snapshot folder) and `snapshot_udp_port`, the kernel also binds
    `remote_view`, the map from the server's snapshot kept current by its deltas.
    """

    def __init__(self, host: str = "127.0.0.1", rcon_port: int = 27000, password: str = "factoryverse", *,
                 agent_id: int | None = None, server_id: int | None = None, max_output: int = DEFAULT_MAX_OUTPUT,
                 snapshot_dir: str | Path | None = None, snapshot_udp_port: int | None = None) -> None:
        if isinstance(max_output, bool) or not isinstance(max_output, int) or max_output < 1:
            raise ProgramArgumentError(f"max_output must be a whole number of characters above 0, not {max_output!r}")
        self.host, self.rcon_port, self._password = host, rcon_port, password
        self.agent_id = agent_id
        self.server_id = server_id
        self.max_output = max_output
        self.snapshot_dir = None if snapshot_dir is None else Path(snapshot_dir)
        self.snapshot_udp_port = snapshot_udp_port
        self.names: list[str] = []
        self.notes: list[str] = []
        self._km: AsyncKernelManager | None = None
        self._kc: Any = None
        self._lock = asyncio.Lock()
        self._closed = False
        self._count = 0
        self._log_dir = tempfile.TemporaryDirectory(prefix="fv-runtime-")

    @classmethod
    def for_server(cls, server_id: int | None = None, *, agent_id: int | None = None,
                   max_output: int = DEFAULT_MAX_OUTPUT, remote_view: bool = True) -> AgentRuntime:
        """A runtime for a server recorded by `fv server start` (the one running when `server_id` is None).

        With `remote_view`, programs get the server's map as `remote_view` (loaded from its snapshot files and kept
        current by its deltas), when no other process receives them already (`notes` says so).
        """
        from factoryverse.runtime._servers import find_server

        found = find_server(server_id)
        return cls(found.host, found.rcon_port, found.password, agent_id=agent_id, server_id=found.id,
                   max_output=max_output, snapshot_dir=found.snapshot_dir if remote_view else None,
                   snapshot_udp_port=found.snapshot_udp_port if remote_view else None)

    async def __aenter__(self) -> AgentRuntime:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    @property
    def log_path(self) -> Path:
        """The kernel process's own output (start-up failures, crashes): programs' output never goes here."""
        return Path(self._log_dir.name) / "kernel.log"

    async def start(self) -> None:
        """Start the kernel and bind the agent; RuntimeStartError says why when the game or agent is not there."""
        if self._closed:
            raise RuntimeClosedError("this AgentRuntime was closed; create a new one")
        env = dict(os.environ)
        env.update({ENV_HOST: self.host, ENV_PORT: str(self.rcon_port), ENV_PASSWORD: self._password,
                    ENV_AGENT: "" if self.agent_id is None else str(self.agent_id),
                    ENV_SERVER: "" if self.server_id is None else str(self.server_id),
                    ENV_SNAPSHOT_DIR: "" if self.snapshot_dir is None else str(self.snapshot_dir),
                    ENV_SNAPSHOT_UDP: "" if self.snapshot_udp_port is None else str(self.snapshot_udp_port)})
        km = AsyncKernelManager(kernel_name="factoryverse", kernel_spec_manager=_ThisPython())
        log = open(self.log_path, "ab")  # noqa: SIM115 - the kernel process writes to it for its whole life
        try:
            await km.start_kernel(env=env, stdout=log, stderr=log, cwd=os.getcwd())
        except Exception as exc:  # noqa: BLE001 - jupyter_client raises many kinds; all mean the same here
            raise RuntimeStartError(f"the Python kernel did not start ({exc}); is ipykernel installed in "
                                    f"{sys.executable}'s environment?") from exc
        finally:
            log.close()
        self._km, self._kc = km, km.client()
        self._kc.start_channels()
        try:
            await self._kc.wait_for_ready(timeout=_START_TIMEOUT)
            setup = await self._execute(_SETUP, _START_TIMEOUT)
            bound = await self._execute(_BIND, _START_TIMEOUT) if setup.error is None else setup
        except (RuntimeError, queue.Empty, TimeoutError) as exc:
            await self._stop_kernel()
            raise RuntimeStartError(f"the Python kernel did not become ready within {_START_TIMEOUT:g} s ({exc}); "
                                    f"see {self.log_path}") from exc
        if bound.error is not None or bound.info is None:
            await self._stop_kernel()
            what = f"agent {self.agent_id}" if self.agent_id is not None else "a new agent"
            text = bound.error["text"] if bound.error else "the kernel sent no binding"
            raise RuntimeStartError(f"could not bind {what} of the game at {self.host}:{self.rcon_port}:\n{text}")
        self.agent_id = int(bound.info["agent_id"])
        self.names = list(bound.info.get("names", []))
        self.notes = list(bound.info.get("notes", []))

    async def run(self, code: str, *, timeout: float = DEFAULT_TIMEOUT) -> RunResult:
        """Run one program and return its output, error and flags; never raises for the program's own errors.

        Past `timeout` seconds the program is interrupted (its variables so far are kept); one that does not stop
        within INTERRUPT_GRACE seconds, or that ends its own process, gets a new kernel bound to the same agent
        (RuntimeStartError if that fails, e.g. the server has stopped).
        """
        if not isinstance(code, str):
            raise ProgramArgumentError(f"run: the program must be Python source text (str), not {type(code).__name__}")
        limit = _check_timeout(timeout)
        async with self._lock:
            if self._closed or self._kc is None:
                raise RuntimeClosedError("this AgentRuntime is closed or was never started; use `async with`")
            self._count += 1
            collected = await self._execute(f"await __fv_run__({code!r})", limit, program=True)
            return self._result(collected)

    async def interrupt(self) -> None:
        """Stop the program running now, as its time limit would (Ctrl-C in `fv agent`); no-op between programs."""
        if self._km is not None and self._lock.locked():
            await self._km.interrupt_kernel()

    def _result(self, c: _Collected) -> RunResult:
        error = c.error["text"] if c.error else None
        if c.timed_out and not c.restarted:
            where = f"\nWhere it was:\n{error}" if error else ""
            error = (f"TimeoutError: the program ran past its {c.limit:g} s time limit and was stopped; variables it "
                     f"set before that are kept.{where}")
        elif c.timed_out:
            error = (f"TimeoutError: the program ran past its {c.limit:g} s time limit and did not stop when "
                     "interrupted (it catches the interrupt, or blocks in native code), so its process was replaced: "
                     "variables are lost; `agent`, `game` and the SDK names are bound again.")
        elif c.restarted:
            error = ("KernelDied: the program's process ended (os._exit, a crash, or out of memory) before the program "
                     "finished; a new one was started: variables are lost; `agent`, `game` and the SDK names are "
                     "bound again.")
        return RunResult(
            stdout=c.stdout.value("stdout"), stderr=c.stderr.value("stderr"), error=error,
            truncated=c.stdout.truncated or c.stderr.truncated, timed_out=c.timed_out, restarted=c.restarted,
            execution_count=self._count,
        )

    async def _execute(self, code: str, limit: float, *, program: bool = False) -> _Collected:
        kc, km = self._kc, self._km
        collected = _Collected(self.max_output, limit)
        msg_id = kc.execute(code, store_history=False, allow_stdin=False)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        interrupted = False
        while True:
            left = deadline - loop.time()
            if left <= 0:
                if not program:
                    raise TimeoutError(f"the kernel did not finish start-up code within {limit:g} s")
                if not interrupted:
                    collected.timed_out = interrupted = True
                    await km.interrupt_kernel()
                    deadline = loop.time() + INTERRUPT_GRACE
                    continue
                await self._replace_kernel()
                collected.restarted = True
                return collected
            try:
                msg = await kc.get_iopub_msg(timeout=min(left, _ALIVE_CHECK_S))
            except queue.Empty:
                if not await km.is_alive():
                    if not program:
                        raise RuntimeError("the kernel process ended during start-up") from None
                    await self._replace_kernel()
                    collected.restarted = True
                    return collected
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue  # output of an earlier, interrupted program arriving late
            if msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
                break
            collected.take(msg)
        await self._drain_reply(msg_id)
        return collected

    async def _drain_reply(self, msg_id: str) -> None:
        # The shell channel's execute_reply; left unread, replies would pile up across programs.
        while True:
            try:
                reply = await self._kc.get_shell_msg(timeout=INTERRUPT_GRACE)
            except queue.Empty:
                return
            if reply["parent_header"].get("msg_id") == msg_id:
                return

    async def _replace_kernel(self) -> None:
        await self._stop_kernel()
        await self.start()

    async def _stop_kernel(self) -> None:
        kc, km = self._kc, self._km
        self._kc = self._km = None
        if kc is not None:
            kc.stop_channels()
        if km is not None:
            try:
                await km.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001 - a kernel that is already gone is what stopping wants
                pass

    async def close(self) -> None:
        """Stop the kernel. The agent stays in the game (the SDK's destroy_agents removes agents)."""
        if self._closed:
            return
        self._closed = True
        await self._stop_kernel()
        self._log_dir.cleanup()
