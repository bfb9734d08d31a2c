"""`fv-ui`: serve the dashboard with uvicorn."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import uvicorn

from factoryverse.ui.app import create_app

__all__ = ["main", "DEFAULT_HOST", "DEFAULT_PORT"]

# Loopback by default: the API shows the ports and folders of this machine's servers.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of `fv-ui [--host H] [--port P]`; serves until interrupted."""
    parser = argparse.ArgumentParser(prog="fv-ui", description="FactoryVerse dashboard: servers and their maps.")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be 0..65535, not {args.port}")
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="info")
