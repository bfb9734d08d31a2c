"""The dashboard page rendered by a real browser (headless Chromium) against uvicorn and a real instance."""

from __future__ import annotations

import base64
import hashlib
import re
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from factoryverse.servers.instances import start_instance, stop_instance
from factoryverse.servers.ports import scheme_ports
from factoryverse.ui import _page, create_app
from tests.servers._instance import place_chest

_CHROMIUM = Path("/usr/bin/chromium")
_START_TIMEOUT_S = 10.0


def test_csp_hashes_match_the_inline_script_and_style():
    for tag, directive in (("script", "script-src"), ("style", "style-src")):
        body = re.search(f"<{tag}>(.*?)</{tag}>", _page.PAGE_HTML, re.S).group(1)
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in _page.CONTENT_SECURITY_POLICY


@pytest.fixture
def served():
    """The dashboard on a free loopback port, served by uvicorn in a thread; yields the base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + _START_TIMEOUT_S
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(_START_TIMEOUT_S)
        sock.close()


def _dump_dom(url: str, profile: Path) -> str:
    return subprocess.run(
        [str(_CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         # No name but the loopback address resolves: the page must work with no network at all.
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
         # Virtual time waits for pending fetches, so the DOM is dumped after the page's requests answered.
         "--virtual-time-budget=5000", "--dump-dom", url],
        capture_output=True, text=True, timeout=90, check=True,
    ).stdout


_needs_chromium = pytest.mark.skipif(not _CHROMIUM.exists(),
                                     reason="/usr/bin/chromium is missing; `apt-get install chromium`")


@_needs_chromium
def test_browser_shows_the_server_and_its_entities(instance, served, tmp_path):
    # Built after any earlier sync: the page shows it only because it asks for a sync before reading.
    unit = place_chest(instance, 30.5, 31.5)
    dom = _dump_dom(f"{served}/#server={instance.id}", tmp_path / "chromium-profile")
    row = re.search(rf'<tr class="server-row" data-server-id="{instance.id}">(.*?)</tr>', dom, re.S)
    assert row, dom[:2000]
    assert '<td class="alive">running</td>' in row.group(1)
    assert f"<td>127.0.0.1:{instance.rcon_port}</td>" in row.group(1)
    assert f"<td>{unit}</td><td>wooden-chest</td><td>container</td><td>30.5</td><td>31.5</td>" in dom
    assert instance.rcon_password not in dom


@_needs_chromium
def test_browser_renders_the_api_docs_offline(served, tmp_path):
    """Regression: /api/docs loaded Swagger UI from a CDN, so offline the browser showed a blank page."""
    dom = _dump_dom(f"{served}/api/docs", tmp_path / "chromium-profile")
    routes = re.findall(r'<h2 class="route"><span class="method">(\w+)</span><code>([^<]+)</code></h2>', dom)
    assert ("GET", "/api/servers") in routes
    assert ("GET", "/api/servers/{server_id}/entities") in routes
    assert ("POST", "/api/servers/{server_id}/sync") in routes
    assert "ErrorBody" in dom


@_needs_chromium
def test_browser_shows_the_backend_every_roles_port_and_why_a_port_fell_back(fv_home, served, tmp_path):
    # Another program holds the scheme's snapshot port of instance 0, so the instance started here falls back.
    wanted = scheme_ports(0).snapshot_udp
    holder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        try:
            holder.bind(("127.0.0.1", wanted))
        except OSError:
            pass  # already held by someone else: in use all the same
        inst = start_instance(0, mode="paused", autosave_minutes=0)
    finally:
        holder.close()
    try:
        note = f"snapshot UDP port {wanted} was in use, so it sends to {inst.snapshot_udp_port}"
        assert note in inst.port_notes
        ports = inst.ports()
        dom = _dump_dom(served, tmp_path / "chromium-profile")
        row = re.search(rf'<tr class="server-row" data-server-id="{inst.id}">(.*?)</tr>', dom, re.S)
        assert row, dom[:2000]
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
        agents = f"{ports['agent_udp'][0]}-{ports['agent_udp'][-1]}"
        # ID, state, backend, RCON, game UDP (none on the engine), snapshot UDP, agent UDP, port notes.
        assert cells[:7] == [str(inst.id), "running", "embedded", f"127.0.0.1:{ports['rcon']}", "-",
                             str(ports["snapshot_udp"]), agents]
        assert re.findall(r"<div>(.*?)</div>", cells[7]) == inst.port_notes
        assert '<td class="port-notes">' in row.group(1)
        assert inst.rcon_password not in dom
    finally:
        stop_instance(inst)
