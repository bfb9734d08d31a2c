"""Server instances as the front ends see them: start, stop, list (instances) and act on them (operations), on a
backend (backends: embedded engine, local Factorio binary, docker) with every role's port (ports).

Shared by the `fv` CLI, the MCP server and the dashboard, so they agree on ports, records and error messages.
"""

from factoryverse.servers.instances import (
    BackendUnavailableError,
    EngineStartError,
    FactorioBinaryError,
    Instance,
    InstanceBusyError,
    InstanceError,
    PortInUseError,
    ProcessState,
    configure_instance,
    list_instances,
    start_instance,
    state_home,
    stop_instance,
)
from factoryverse.servers.forks import ForkError, fork_instance

__all__ = [
    "BackendUnavailableError",
    "EngineStartError",
    "FactorioBinaryError",
    "ForkError",
    "Instance",
    "InstanceBusyError",
    "InstanceError",
    "PortInUseError",
    "ProcessState",
    "configure_instance",
    "fork_instance",
    "list_instances",
    "start_instance",
    "state_home",
    "stop_instance",
]
