"""`fv-ui` as a user starts it: a process serving the dashboard on the port it was given."""

from __future__ import annotations

import json
import os
import selectors
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from factoryverse.ui import serve

_START_TIMEOUT_S = 20.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_line(proc: subprocess.Popen, marker: bytes) -> bytes:
    seen = b""
    deadline = time.monotonic() + _START_TIMEOUT_S
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stderr, selectors.EVENT_READ)
        while marker not in seen:
            left = deadline - time.monotonic()
            assert left > 0 and sel.select(timeout=left), f"fv-ui did not start; it printed:\n{seen.decode()}"
            chunk = os.read(proc.stderr.fileno(), 4096)
            assert chunk, f"fv-ui exited; it printed:\n{seen.decode()}"
            seen += chunk
    return seen


def test_fv_ui_serves_the_api_on_the_given_port(instance):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "factoryverse.ui", "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ))
    try:
        _wait_for_line(proc, b"Uvicorn running on")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/servers", timeout=10) as res:
            servers = json.load(res)
        assert [s["id"] for s in servers] == [instance.id]
        # The same request under another site's name, as a DNS-rebinding page would send it.
        foreign = urllib.request.Request(f"http://127.0.0.1:{port}/api/servers", headers={"Host": "evil.example"})
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(foreign, timeout=10)
        assert info.value.code == 400
        assert json.load(info.value)["kind"] == "UntrustedHostError"
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stderr.close()


def test_bad_port_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        serve.main(["--port", "70000"])
    assert info.value.code == 2
    assert "--port must be 0..65535" in capsys.readouterr().err


def test_trusted_hosts_are_loopback_the_listening_address_and_the_allowed_names():
    assert serve.trusted_hosts("127.0.0.1") == ("localhost", "127.0.0.1", "::1")
    assert serve.trusted_hosts("0.0.0.0", ["lab-box"]) == ("localhost", "127.0.0.1", "::1", "lab-box")
    assert serve.trusted_hosts("192.168.1.20") == ("localhost", "127.0.0.1", "::1", "192.168.1.20")
