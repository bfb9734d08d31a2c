"""The dashboard's FastAPI app: JSON about the recorded servers and their maps, and the page that shows it."""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from factoryverse.servers import operations
from factoryverse.ui._docs import DOCS_CONTENT_SECURITY_POLICY, render_docs
from factoryverse.ui._guard import LOOPBACK_HOSTS, HostGuard
from factoryverse.ui._page import CONTENT_SECURITY_POLICY, PAGE_HTML

__all__ = ["create_app"]

_ENTITY_COLUMNS = ("entity_key", "entity_name", "entity_type", "position.x AS x", "position.y AS y", "direction",
                   "force", "built_tick", "bbox")
_MAX_ENTITIES = operations.MAX_ROWS
_DEFAULT_RETRY_AFTER_S = 5

# The HTTP status of each backend error: what the caller got wrong (4xx) or a server-side condition (5xx).
_STATUS: dict[type[operations.BackendError], int] = {
    operations.UnknownServerError: 404,
    operations.ServerNotRunningError: 409,
    # The dashboard runs only its own queries: one that runs out of time means a loaded machine, not a bad query.
    operations.MapQueryTimeoutError: 503,
    operations.MapQueryError: 400,
    operations.LuaError: 400,
    operations.MapNotReadyError: 503,
    operations.MapBusyError: 503,
    operations.RconError: 502,
}


class ErrorBody(BaseModel):
    """Every error answer: what went wrong and what to do, and the error's kind (a class name)."""

    error: str
    kind: str


_ERROR_TEXT = {
    404: "No server with that id",
    422: "A parameter is out of range or of the wrong type",
    503: "The map is not synced yet, or busy: retry after the Retry-After header's seconds",
}


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    # Declared so the OpenAPI document (and /api/docs) shows the {error, kind} shape, not FastAPI's default.
    return {status: {"model": ErrorBody, "description": _ERROR_TEXT[status]} for status in statuses}


def _status_of(exc: operations.BackendError) -> int:
    for kind in type(exc).__mro__:
        if kind in _STATUS:
            return _STATUS[kind]
    return 500


def _error(status: int, message: str, kind: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "kind": kind}, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = [str(p) for p in err.get("loc", ())]
        name = " ".join(where[1:]) or "request"
        place = f" ({where[0]} parameter)" if where and where[0] in ("query", "path") else ""
        parts.append(f"{name}{place}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) + "; see /api/docs for each route's parameters"


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(operations.BackendError)
    async def _backend_error(request: Request, exc: operations.BackendError) -> JSONResponse:  # noqa: ARG001
        status = _status_of(exc)
        headers = None
        if status == 503:
            headers = {"Retry-After": str(getattr(exc, "retry_after_s", _DEFAULT_RETRY_AFTER_S))}
        return _error(status, str(exc), type(exc).__name__, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:  # noqa: ARG001
        return _error(422, _validation_message(exc), "RequestValidationError")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        phrase = HTTPStatus(exc.status_code).phrase
        message = f"{exc.detail}: {request.method} {request.url.path}; the routes are listed at /api/docs"
        return _error(exc.status_code, message, phrase.replace(" ", "").replace("-", ""), exc.headers)


def create_app(allowed_hosts: Iterable[str] = LOOPBACK_HOSTS) -> FastAPI:
    """A new dashboard app; it reads the instances recorded under FACTORYVERSE_HOME at each request.

    It answers only requests whose Host header names one of `allowed_hosts` (loopback names by default).
    """
    app = FastAPI(title="FactoryVerse dashboard", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.add_middleware(HostGuard, allowed_hosts=tuple(allowed_hosts))
    _install_error_handlers(app)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(PAGE_HTML, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY,
                                                "Cache-Control": "no-store"})

    @app.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(render_docs(app.openapi()), headers={"Content-Security-Policy":
                                                                 DOCS_CONTENT_SECURITY_POLICY})

    @app.get("/api/servers")
    def servers() -> list[dict[str, Any]]:
        """Recorded servers: id, backend, every role's port (`ports`: rcon, game_udp, snapshot_udp, agent_udp) with
        `port_notes` saying which fell back from the scheme's and why, seed, mode, whether alive. Never the RCON
        password."""
        return operations.instances()

    @app.post("/api/servers/{server_id}/sync", responses=_errors(404, 422, 503))
    def sync(server_id: int) -> dict[str, Any]:
        """Bring the server's map database up to date from its snapshot files (creating it the first time)."""
        return operations.sync_map(server_id)

    @app.get("/api/servers/{server_id}/entities", responses=_errors(404, 422, 503))
    def entities(server_id: int, limit: int = Query(1000, ge=1, le=_MAX_ENTITIES)) -> dict[str, Any]:
        """The server's built entities (map_entity) as of its last sync; reading never writes the database
        (POST /api/servers/{server_id}/sync first for the latest)."""
        result = operations.sql(
            server_id, f"SELECT {', '.join(_ENTITY_COLUMNS)} FROM map_entity ORDER BY entity_key", max_rows=limit,
            sync=False,
        )
        return {"server_id": server_id, **result.as_dict()}

    return app
