"""`fv-ui`: serve the dashboard with uvicorn."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import uvicorn

from factoryverse.ui._guard import LOOPBACK_HOSTS
from factoryverse.ui.app import create_app

__all__ = ["main", "trusted_hosts", "DEFAULT_HOST", "DEFAULT_PORT"]

# Loopback by default: the API shows the ports and folders of this machine's servers.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
# Listening on every address names no host a browser would send.
_WILDCARDS = {"0.0.0.0", "::", ""}


def trusted_hosts(host: str, extra: Sequence[str] = ()) -> tuple[str, ...]:
    """The Host names the dashboard answers: loopback, the address it listens on, and any given by --allow-host."""
    named = [] if host in _WILDCARDS else [host]
    return tuple(dict.fromkeys([*LOOPBACK_HOSTS, *named, *extra]))


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of `fv-ui [--host H] [--port P]`; serves until interrupted."""
    parser = argparse.ArgumentParser(prog="fv-ui", description="FactoryVerse dashboard: servers and their maps.")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="another name the dashboard may be addressed by (repeatable); requests naming any "
                             "other host are refused, which stops DNS-rebinding pages from reading it")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be 0..65535, not {args.port}")
    app = create_app(trusted_hosts(args.host, args.allow_host))
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
