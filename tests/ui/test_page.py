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


@pytest.mark.skipif(not _CHROMIUM.exists(), reason="/usr/bin/chromium is missing; `apt-get install chromium`")
def test_browser_shows_the_server_and_its_entities(instance, served, tmp_path):
    unit = place_chest(instance, 30.5, 31.5)
    profile = tmp_path / "chromium-profile"
    dom = subprocess.run(
        [str(_CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         # Virtual time waits for pending fetches, so the DOM is dumped after the page's requests answered.
         "--virtual-time-budget=5000", "--dump-dom", f"{served}/#server={instance.id}"],
        capture_output=True, text=True, timeout=90, check=True,
    ).stdout
    row = re.search(rf'<tr class="server-row" data-server-id="{instance.id}">(.*?)</tr>', dom, re.S)
    assert row, dom[:2000]
    assert '<td class="alive">running</td>' in row.group(1)
    assert f"<td>127.0.0.1:{instance.rcon_port}</td>" in row.group(1)
    assert f"<td>{unit}</td><td>wooden-chest</td><td>container</td><td>30.5</td><td>31.5</td>" in dom
    assert instance.rcon_password not in dom
