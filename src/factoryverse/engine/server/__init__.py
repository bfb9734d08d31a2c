"""Serving the embedded engine: the game loop thread, the RCON server, and the process entry point."""

from factoryverse.engine.server.instance import GameLoop, GameServer, ServerConfig
from factoryverse.engine.server.rcon import RconServer, RconServerError

__all__ = ["GameLoop", "GameServer", "ServerConfig", "RconServer", "RconServerError"]
