"""What leaves the game besides RCON: helpers.write_file under script-output, and helpers.send_udp datagrams."""

from __future__ import annotations

import socket

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.outputs import Outputs


@pytest.fixture
def engine(tmp_path) -> Engine:
    e = Engine(seed=1, mods=[], starting_chunks=1, script_output=tmp_path)
    yield e
    e.close()


def test_write_file_writes_under_script_output(engine, tmp_path):
    assert engine.execute_command("/sc helpers.write_file('fv/state.json', helpers.table_to_json({a = 1}))") == ""
    assert (tmp_path / "fv" / "state.json").read_text(encoding="utf-8") == '{"a":1}'


def test_write_file_append(engine, tmp_path):
    engine.execute_command("/sc helpers.write_file('log.txt', 'one\\n')")
    engine.execute_command("/sc helpers.write_file('log.txt', 'two\\n', true)")
    assert (tmp_path / "log.txt").read_text(encoding="utf-8") == "one\ntwo\n"
    engine.execute_command("/sc helpers.write_file('log.txt', 'fresh')")
    assert (tmp_path / "log.txt").read_text(encoding="utf-8") == "fresh"


def test_write_file_localised_string(engine, tmp_path):
    engine.execute_command("/sc helpers.write_file('l.txt', {'', 'a', 1, 'b'})")
    assert (tmp_path / "l.txt").read_text(encoding="utf-8") == "a1b"


@pytest.mark.parametrize("name", ["../escape.txt", "a/../../escape.txt", "/etc/passwd", "..\\\\escape.txt"])
def test_write_file_rejects_paths_leaving_script_output(engine, tmp_path, name):
    reply = engine.execute_command(f"/sc helpers.write_file('{name}', 'x')")
    assert "must stay inside script-output" in reply
    assert not (tmp_path.parent / "escape.txt").exists()


def test_remove_path(engine, tmp_path):
    engine.execute_command("/sc helpers.write_file('dir/a.txt', 'x') helpers.write_file('b.txt', 'y')")
    engine.execute_command("/sc helpers.remove_path('dir') helpers.remove_path('b.txt') helpers.remove_path('never.txt')")
    assert list(tmp_path.iterdir()) == []


def test_write_file_without_script_output_is_a_clear_error():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    assert "without a script-output folder" in engine.execute_command("/sc helpers.write_file('a.txt', 'x')")


def test_send_udp_delivers_a_datagram(engine):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(5)
        port = sock.getsockname()[1]
        assert engine.execute_command(f"/sc helpers.send_udp({port}, helpers.table_to_json({{tick = game.tick}}))") == ""
        data, _ = sock.recvfrom(65536)
    assert data == b'{"tick":0}'
    assert engine.outputs.udp_sent == 1


def test_send_udp_to_a_closed_port_is_not_an_error(engine):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert engine.execute_command(f"/sc helpers.send_udp({port}, 'lost')") == ""


def test_send_udp_rejects_bad_ports(engine):
    assert "port must be 1..65535" in engine.execute_command("/sc helpers.send_udp(0, 'x')")
    assert "port must be 1..65535" in engine.execute_command("/sc helpers.send_udp(70000, 'x')")


def test_outputs_resolve_directly(tmp_path):
    outputs = Outputs(tmp_path)
    with pytest.raises(ScriptError, match="non-empty string"):
        outputs.write_file("", "x", False)
    outputs.write_file("deep/er/file.txt", "ok", False)
    assert (tmp_path / "deep" / "er" / "file.txt").read_text(encoding="utf-8") == "ok"
