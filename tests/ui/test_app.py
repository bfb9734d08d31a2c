"""The dashboard's JSON routes and page, through FastAPI's TestClient, against a real instance."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import factoryverse.ui
from factoryverse.ui import app as ui_app
from factoryverse.ui import create_app
from tests.servers._instance import place_chest


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app()) as c:
        yield c


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


def test_entities_come_from_the_map_database(client, instance):
    unit = place_chest(instance, 11.5, 12.5)
    res = client.get(f"/api/servers/{instance.id}/entities")
    assert res.status_code == 200
    body = res.json()
    assert body["server_id"] == instance.id
    chest = [r for r in body["rows"] if r["unit_number"] == unit]
    assert chest == [{
        "unit_number": unit, "name": "wooden-chest", "entity_type": "container", "x": 11.5, "y": 12.5,
        "direction": 0, "force": "player", "built_tick": chest[0]["built_tick"],
        "bbox": chest[0]["bbox"],
    }]
    assert chest[0]["bbox"].startswith("POLYGON")


def test_entities_limit_truncates(client, instance):
    place_chest(instance, 20.5, 20.5)
    place_chest(instance, 21.5, 20.5)
    body = client.get(f"/api/servers/{instance.id}/entities", params={"limit": 1}).json()
    assert body["row_count"] == 1 and body["truncated"] is True


def test_unknown_server_is_a_404_that_says_what_to_do(client, instance):
    res = client.get(f"/api/servers/{instance.id + 1000}/entities")
    assert res.status_code == 404
    assert res.json()["kind"] == "UnknownServerError"
    assert "fv server status" in res.json()["error"]


def test_bad_limit_is_rejected(client, instance):
    assert client.get(f"/api/servers/{instance.id}/entities", params={"limit": 0}).status_code == 422


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
