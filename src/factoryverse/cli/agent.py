"""`fv agent`: a Python prompt bound to one agent; each statement runs in the agent runtime's kernel.

It reads statements as the Python prompt does (a compound statement ends at a blank line), from a terminal or
from a pipe, so programs can drive it too; `await` works at the top level. Output goes to stdout, error output
and errors to stderr. Ctrl-C stops the running program (and clears the line at the prompt); Ctrl-D quits.
"""

from __future__ import annotations

import ast
import asyncio
import codeop
import signal
import sys
from typing import TYPE_CHECKING, Optional, TextIO

import typer

from factoryverse.runtime import DEFAULT_MAX_OUTPUT, DEFAULT_TIMEOUT, AgentRuntimeError, RunResult

if TYPE_CHECKING:
    from factoryverse.runtime import AgentRuntime

__all__ = ["agent", "read_statements"]


def agent(
    server: Optional[int] = typer.Option(
        None, "--server", "-s", help="Server id as `fv server status` lists it (default: the only one running)."),
    agent_id: Optional[int] = typer.Option(
        None, "--agent", "-a", help="The agent to bind (default: create a new agent)."),
    timeout: float = typer.Option(
        DEFAULT_TIMEOUT, "--timeout", min=0.001, help="Seconds one statement may run before it is stopped."),
    max_output: int = typer.Option(
        DEFAULT_MAX_OUTPUT, "--max-output", min=1, help="Characters of stdout (and of stderr) kept per statement."),
    remote_view: bool = typer.Option(
        True, "--remote-view/--no-remote-view",
        help="Bind `remote_view`, the server's map kept current by its deltas (loading it takes a few seconds)."),
) -> None:
    """Open a Python prompt bound to an agent: `await walking.to(MapPosition(5, 5))`, variables persist."""
    # Imported here: AgentRuntime loads jupyter_client, which every other `fv` command would pay for at start.
    from factoryverse.runtime import AgentRuntime

    try:
        runtime = AgentRuntime.for_server(server, agent_id=agent_id, max_output=max_output, remote_view=remote_view)
    except AgentRuntimeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    code = asyncio.run(_session(runtime, timeout, sys.stdin))
    raise typer.Exit(code)


def read_statements(stream: TextIO, prompt: bool):
    """Yield statements from `stream` as the Python prompt groups lines; None for a Ctrl-C at the prompt."""
    compiler = codeop.CommandCompiler()
    compiler.compiler.flags |= ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    lines: list[str] = []
    while True:
        if prompt:
            sys.stdout.write("... " if lines else ">>> ")
            sys.stdout.flush()
        try:
            line = stream.readline()
        except KeyboardInterrupt:
            sys.stdout.write("\nKeyboardInterrupt\n")
            lines = []
            continue
        if not line:  # end of input: what is left is run as it is
            if any(x.strip() for x in lines):
                yield "\n".join(lines)
            return
        line = line.rstrip("\n")
        if lines and _starts_statement(line) and _complete(compiler, "\n".join(lines) + "\n"):
            # A script's next statement at column 0 ends a compound one, with or without the prompt's blank line.
            yield "\n".join(lines)
            lines = []
        lines.append(line)
        source = "\n".join(lines)
        if not source.strip():
            lines = []
            continue
        if _complete(compiler, source) or (not line.strip() and len(lines) > 1):
            yield source
            lines = []


_CONTINUATIONS = ("else", "elif", "except", "finally")


def _starts_statement(line: str) -> bool:
    word = line.split(maxsplit=1)[0].rstrip(":") if line.strip() else ""
    return bool(line) and not line[0].isspace() and word not in _CONTINUATIONS and not line.startswith("#")


def _complete(compiler: codeop.CommandCompiler, source: str) -> bool:
    try:
        return compiler(source, "<stdin>", "single") is not None
    except (SyntaxError, ValueError, OverflowError):
        return True  # the kernel reports the syntax error with its line


def _show(result: RunResult) -> None:
    sys.stdout.write(result.stdout)
    sys.stdout.flush()
    sys.stderr.write(result.stderr)
    if result.error is not None:
        sys.stderr.write(result.error if result.error.endswith("\n") else result.error + "\n")
    sys.stderr.flush()


async def _session(runtime: AgentRuntime, timeout: float, stream: TextIO) -> int:
    interactive = stream.isatty()
    loop = asyncio.get_running_loop()
    # asyncio.run's own SIGINT handler would cancel the session at the prompt; Ctrl-C there clears the line.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        await runtime.start()
    except AgentRuntimeError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 1
    where = f"server {runtime.server_id}" if runtime.server_id is not None else f"{runtime.host}:{runtime.rcon_port}"
    typer.echo(f"agent {runtime.agent_id} on {where}; names: {', '.join(n for n in runtime.names if n[0].islower())}",
               err=True)
    for note in runtime.notes:
        typer.echo(f"note: {note}", err=True)
    if interactive:
        typer.echo("Top-level await works; variables persist; Ctrl-C stops a statement, Ctrl-D quits.", err=True)
    failed = False
    try:
        for statement in read_statements(stream, interactive):
            # While a statement runs, Ctrl-C interrupts it in the kernel; at the prompt it clears the line.
            loop.add_signal_handler(signal.SIGINT, lambda: asyncio.ensure_future(runtime.interrupt()))
            try:
                result = await runtime.run(statement, timeout=timeout)
            finally:
                loop.remove_signal_handler(signal.SIGINT)
            _show(result)
            failed = failed or result.error is not None
    finally:
        await runtime.close()
    if interactive:
        sys.stdout.write("\n")
    # Piped input: the exit status says whether every statement succeeded, so a script can check it.
    return 1 if failed and not interactive else 0
