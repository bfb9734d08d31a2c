"""The errors of starting, finding and stopping instances, whatever backend runs them; each message says what to do."""

from __future__ import annotations

__all__ = ["InstanceError", "InstanceBusyError", "PortInUseError", "EngineStartError", "BackendUnavailableError",
           "FactorioBinaryError"]


class InstanceError(Exception):
    """An instance could not be started, found or stopped; the message says what to do."""


class InstanceBusyError(InstanceError):
    """The instance id asked for is running or being started by another command."""


class PortInUseError(InstanceError):
    """The server could not bind its RCON port: another program took it."""


class EngineStartError(InstanceError):
    """The server process exited or did not become ready; the message holds the end of its log."""


class BackendUnavailableError(InstanceError):
    """What the backend needs is not there (docker not installed, its daemon down); nothing was started."""


class FactorioBinaryError(InstanceError):
    """The Factorio binary given is missing, not executable, not Factorio, or another version than asked for."""
