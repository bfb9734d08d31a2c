"""Names of the environment variables through which the runtime tells its kernel which game and agent to bind.

The password travels here rather than in code or a command line: an environment is readable only by its owner.
"""

from __future__ import annotations

__all__ = ["ENV_HOST", "ENV_PORT", "ENV_PASSWORD", "ENV_AGENT", "ENV_SERVER", "ENV_SNAPSHOT_DIR", "ENV_SNAPSHOT_UDP"]

ENV_HOST = "FACTORYVERSE_RUNTIME_HOST"
ENV_PORT = "FACTORYVERSE_RUNTIME_RCON_PORT"
ENV_PASSWORD = "FACTORYVERSE_RUNTIME_PASSWORD"
ENV_AGENT = "FACTORYVERSE_RUNTIME_AGENT"
ENV_SERVER = "FACTORYVERSE_RUNTIME_SERVER"
# The server's fv_snapshot folder and the UDP port its game sends map deltas to: the kernel's remote_view.
ENV_SNAPSHOT_DIR = "FACTORYVERSE_RUNTIME_SNAPSHOT_DIR"
ENV_SNAPSHOT_UDP = "FACTORYVERSE_RUNTIME_SNAPSHOT_UDP"
