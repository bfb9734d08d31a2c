"""The runtime's own errors. A program's errors are not raised: they come back as text in RunResult.error."""

from __future__ import annotations

__all__ = ["AgentRuntimeError", "RuntimeStartError", "RuntimeClosedError", "ProgramArgumentError"]


class AgentRuntimeError(Exception):
    """Base of every error the agent runtime raises; the message says what to do."""


class RuntimeStartError(AgentRuntimeError):
    """The kernel did not start, or could not reach the game or the agent; the message holds the cause."""


class RuntimeClosedError(AgentRuntimeError):
    """The runtime was used after close(); start a new one."""


class ProgramArgumentError(AgentRuntimeError, ValueError):
    """run() was given something other than program text, or a time limit that is not a positive number."""
