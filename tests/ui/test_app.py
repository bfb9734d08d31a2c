"""The dashboard's JSON routes and page, through FastAPI's TestClient, against a real instance."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

import factoryverse.ui
from factoryverse.servers import _map_db, operations
from factoryverse.ui import app as ui_app
from factoryverse.ui import create_app
from tests.servers._db_holder import database_held_by_another_process
from tests.servers._instance import place_chest


@pytest.fixture(scope="module")
def client():
    # Addressed as a browser on this machine addresses it: the dashboard refuses other Host names.
    with TestClient(create_app(), base_url="http://127.0.0.1:8080") as c:
        yield c


def _synced(client, instance) -> None:
    res = client.post(f"/api/servers/{instance.id}/sync")
    assert res.status_code == 200, res.text


def test_public_api_is_pinned():
    assert factoryverse.ui.__all__ == ["create_app", "main"]
    assert ui_app.__all__ == ["create_app"]


def test_servers_lists_the_instance_without_its_password(client, instance):
    res = client.get("/api/servers")
    assert res.status_code == 200
    assert [(s["id"], s["rcon_port"], s["snapshot_udp_port"], s["alive"]) for s in res.json()] == [
        (instance.id, instance.rcon_port, instance.snapshot_udp_port, True)
    ]
    assert instance.rcon_password not in res.text


def test_servers_lists_the_backend_every_roles_port_and_the_port_notes(client, instance):
    (server,) = client.get("/api/servers").json()
    assert server["backend"] == "embedded"
    assert server["ports"] == {"rcon": instance.rcon_port, "game_udp": None,
                               "snapshot_udp": instance.snapshot_udp_port, "agent_udp": instance.agent_udp_ports}
    assert len(server["ports"]["agent_udp"]) == 10
    assert server["port_notes"] == instance.port_notes


def test_entities_come_from_the_map_database(client, instance):
    unit = place_chest(instance, 11.5, 12.5)
    _synced(client, instance)
    res = client.get(f"/api/servers/{instance.id}/entities")
    assert res.status_code == 200
    body = res.json()
    assert body["server_id"] == instance.id
    chest = [r for r in body["rows"] if r["entity_key"] == unit]
    assert chest == [{
        "entity_key": unit, "entity_name": "wooden-chest", "entity_type": "container", "x": 11.5, "y": 12.5,
        "direction": "north", "force": "player", "built_tick": chest[0]["built_tick"],
        "bbox": chest[0]["bbox"],
    }]
    assert chest[0]["bbox"].startswith("POLYGON")


def test_entities_limit_truncates(client, instance):
    place_chest(instance, 20.5, 20.5)
    place_chest(instance, 21.5, 20.5)
    _synced(client, instance)
    body = client.get(f"/api/servers/{instance.id}/entities", params={"limit": 1}).json()
    assert body["row_count"] == 1 and body["truncated"] is True


def test_unknown_server_is_a_404_that_says_what_to_do(client, instance):
    res = client.get(f"/api/servers/{instance.id + 1000}/entities")
    assert res.status_code == 404
    assert res.json()["kind"] == "UnknownServerError"
    assert "fv server status" in res.json()["error"]


@pytest.mark.parametrize(("path", "params", "named"), [
    ("/api/servers/{id}/entities", {"limit": 0}, "limit (query parameter)"),
    ("/api/servers/{id}/entities", {"limit": 10_001}, "limit (query parameter)"),
    ("/api/servers/not-a-number/entities", {}, "server_id (path parameter)"),
])
def test_validation_errors_use_the_error_shape(client, instance, path, params, named):
    """Regression: FastAPI's own {detail: [...]} came back for a bad parameter instead of {error, kind}."""
    res = client.get(path.replace("{id}", str(instance.id)), params=params)
    assert res.status_code == 422
    body = res.json()
    assert set(body) == {"error", "kind"} and body["kind"] == "RequestValidationError"
    assert body["error"].startswith(named)


def test_unknown_routes_use_the_error_shape(client):
    res = client.get("/api/no-such-route")
    assert res.status_code == 404
    assert res.json()["kind"] == "NotFound" and "/api/docs" in res.json()["error"]


def test_get_entities_never_writes_the_map_database(client, instance):
    """Regression: a GET synced the DuckDB file from the game's files; now only POST .../sync writes it."""
    _synced(client, instance)
    unit = place_chest(instance, 40.5, 41.5)
    stat = instance.db_path.stat()
    before = (instance.db_path.read_bytes(), stat.st_mtime_ns)
    rows = client.get(f"/api/servers/{instance.id}/entities").json()["rows"]
    assert unit not in [r["entity_key"] for r in rows]
    stat = instance.db_path.stat()
    assert (instance.db_path.read_bytes(), stat.st_mtime_ns) == before
    _synced(client, instance)
    rows = client.get(f"/api/servers/{instance.id}/entities").json()["rows"]
    assert unit in [r["entity_key"] for r in rows]


def test_a_busy_map_is_a_503_with_a_retry_hint(client, instance, monkeypatch):
    """Regression: a map database locked by another process answered 400, as if the request were wrong."""
    _synced(client, instance)
    monkeypatch.setattr(_map_db, "_DB_LOCK_WAIT_S", 0.3)
    with database_held_by_another_process(instance.db_path):
        for res in (client.get(f"/api/servers/{instance.id}/entities"),
                    client.post(f"/api/servers/{instance.id}/sync")):
            assert res.status_code == 503
            assert res.json()["kind"] == "MapBusyError" and "Retry" in res.json()["error"]
            assert int(res.headers["retry-after"]) > 0


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8080", "127.0.0.1.evil.example", "10.0.0.5"])
def test_requests_naming_another_host_are_refused(instance, host):
    """Regression: a DNS-rebinding page (its own name resolving to 127.0.0.1) could read pids, ports, folders."""
    with TestClient(create_app(), base_url=f"http://{host}") as foreign:
        for path in ("/", "/api/servers", f"/api/servers/{instance.id}/entities", "/api/openapi.json"):
            res = foreign.get(path)
            assert res.status_code == 400, path
            assert res.json()["kind"] == "UntrustedHostError"
            assert str(instance.pid) not in res.text and str(instance.rcon_port) not in res.text


@pytest.mark.parametrize("base", ["http://localhost:8080", "http://[::1]:8080", "http://127.0.0.1"])
def test_loopback_names_are_trusted(base, instance):
    with TestClient(create_app(), base_url=base) as local:
        assert local.get("/api/servers").status_code == 200


def test_a_post_from_another_sites_page_is_refused(client, instance):
    res = client.post(f"/api/servers/{instance.id}/sync", headers={"Origin": "http://evil.example"})
    assert res.status_code == 403 and res.json()["kind"] == "ForeignOriginError"
    same = client.post(f"/api/servers/{instance.id}/sync", headers={"Origin": "http://127.0.0.1:8080"})
    assert same.status_code == 200


def test_docs_are_rendered_here_and_load_nothing_from_elsewhere(client):
    """Regression: /api/docs loaded Swagger UI from a CDN and was blank offline."""
    res = client.get("/api/docs")
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in res.headers["content-security-policy"]
    for marker in ("http://", "https://", "src=", "href=", "<script", "@import"):
        assert marker not in res.text, marker
    for path in json.loads(client.get("/api/openapi.json").text)["paths"]:
        assert f"<code>{path}</code>" in res.text
    assert re.search(r"422</td><td>[^<]*</td><td>ErrorBody", res.text)


def test_page_is_self_contained(client):
    res = client.get("/")
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/html")
    csp = res.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    assert 'id="servers-body"' in res.text
    # Nothing loaded from another host: no absolute URLs in src/href attributes, no imports.
    for marker in ("http://", "https://", "src=", "href=", "@import"):
        assert marker not in res.text, marker
