"""Who may talk to the dashboard: requests must name it by a trusted host, and writes must come from its own page.

A page on another site can make a browser send requests to 127.0.0.1 (DNS rebinding: its own name resolves to
the loopback address). The browser then sends that site's name in the Host header, so refusing unknown Host
names keeps the servers' pids, ports and folders from being read by it. The port is not checked: such a page
must already use the dashboard's port to reach it at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["LOOPBACK_HOSTS", "HostGuard", "host_name"]

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def host_name(value: str) -> str:
    """The host part of a Host header or an address, lowercased, without port or IPv6 brackets."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value[1:]
    if value.count(":") > 1:  # a bare IPv6 address
        return value
    return value.split(":", 1)[0]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


class HostGuard:
    """ASGI middleware: 400 {error, kind} for an untrusted Host; 403 for a write whose Origin is another site."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str]) -> None:
        self.app = app
        self.allowed = {host_name(h) for h in allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope) -> JSONResponse | None:
        host = _header(scope, b"host")
        allowed = ", ".join(sorted(self.allowed))
        if host is None or host_name(host) not in self.allowed:
            return _error(400, "UntrustedHostError",
                          f"the dashboard answers only requests addressed to {allowed}, not to {host!r}; open it as "
                          "http://127.0.0.1:<port>/ or start fv-ui with --allow-host NAME for another name")
        origin = _header(scope, b"origin")
        # A browser sends Origin with every cross-site POST ("null" from a sandboxed frame); the page sends its own.
        if scope["method"] not in _SAFE_METHODS and origin is not None:
            if host_name(urlsplit(origin).netloc) not in self.allowed:
                return _error(403, "ForeignOriginError",
                              f"a {scope['method']} from a page at {origin} is refused; use the dashboard's own page")
        return None


def _error(status: int, kind: str, message: str) -> JSONResponse:
    body: dict[str, Any] = {"error": message, "kind": kind}
    return JSONResponse(body, status_code=status)
