"""The dashboard's FastAPI app: JSON about the recorded servers and their maps, and the page that shows it."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from factoryverse.servers import operations
from factoryverse.ui._page import CONTENT_SECURITY_POLICY, PAGE_HTML

__all__ = ["create_app"]

_ENTITY_COLUMNS = ("unit_number", "name", "entity_type", "x", "y", "direction", "force", "built_tick", "bbox")
_MAX_ENTITIES = 10_000

# The HTTP status of each backend error: what the caller got wrong (4xx) or what is not there yet (503).
_STATUS: dict[type[operations.BackendError], int] = {
    operations.UnknownServerError: 404,
    operations.ServerNotRunningError: 409,
    operations.MapQueryError: 400,
    operations.LuaError: 400,
    operations.MapNotReadyError: 503,
    operations.RconError: 502,
}


def _status_of(exc: operations.BackendError) -> int:
    for kind in type(exc).__mro__:
        if kind in _STATUS:
            return _STATUS[kind]
    return 500


def create_app() -> FastAPI:
    """A new dashboard app; it reads the instances recorded under FACTORYVERSE_HOME at each request."""
    app = FastAPI(title="FactoryVerse dashboard", docs_url="/api/docs", redoc_url=None,
                  openapi_url="/api/openapi.json")

    @app.exception_handler(operations.BackendError)
    async def _backend_error(request: Request, exc: operations.BackendError) -> JSONResponse:  # noqa: ARG001
        return JSONResponse({"error": str(exc), "kind": type(exc).__name__}, status_code=_status_of(exc))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(PAGE_HTML, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY,
                                                "Cache-Control": "no-store"})

    @app.get("/api/servers")
    def servers() -> list[dict[str, Any]]:
        """Recorded servers: id, ports, seed, mode, whether alive. Never the RCON password."""
        return operations.instances()

    @app.get("/api/servers/{server_id}/entities")
    def entities(server_id: int, limit: int = Query(1000, ge=1, le=_MAX_ENTITIES)) -> dict[str, Any]:
        """The server's built entities (map_entity), brought up to date from its snapshot files."""
        result = operations.sql(
            server_id, f"SELECT {', '.join(_ENTITY_COLUMNS)} FROM map_entity ORDER BY unit_number", max_rows=limit
        )
        return {"server_id": server_id, **result.as_dict()}

    return app
