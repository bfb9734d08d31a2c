"""`fv server start --watch`: a real foreground `fv`, a real edit of a mod, a real reload, Ctrl-C."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from factorio_rcon import RCONClient

from factoryverse.engine.mods import BUNDLED_MODS_DIR
from factoryverse.servers.instances import list_instances, stop_instance

_PROBE = '\nremote.add_interface("fv_watch_cli_probe", {answer = function() return "cli" end})\n'


def _read_until(proc: subprocess.Popen, text: str) -> list[str]:
    lines = []
    for line in proc.stdout:  # bounded by the test timeout; the CLI's own start and save timeouts come first
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"`fv` ended before printing {text!r}: {''.join(lines)}")


def test_watch_reloads_on_a_mod_change_and_ctrl_c_stops_the_servers(fv_home, tmp_path):
    mods = tmp_path / "mods"
    shutil.copytree(BUNDLED_MODS_DIR, mods, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    env = {**os.environ, "FACTORYVERSE_HOME": str(fv_home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "factoryverse.cli", "server", "start", "--watch", "--mode", "fast",
         "--mods-dir", str(mods)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True,
    )
    try:
        _read_until(proc, "watching")
        (before,) = list_instances()
        with open(mods / "fv_snapshot" / "control.lua", "a", encoding="utf-8") as f:
            f.write(_PROBE)
        lines = _read_until(proc, "instance 0:")  # the report's line for the server, whatever it says
        assert "instance 0: reloaded from" in lines[-1], lines
        assert any("changed: fv_snapshot/control.lua" in line for line in lines), lines
        (after,) = list_instances()
        assert after.pid != before.pid and after.rcon_port == before.rcon_port
        client = RCONClient(after.rcon_host, after.rcon_port, after.rcon_password)
        try:
            assert client.send_command("/sc rcon.print(remote.call('fv_watch_cli_probe', 'answer'))") == "cli"
        finally:
            client.close()
        proc.send_signal(2)  # SIGINT, as Ctrl-C
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, out
        assert "stopped" in out
        assert list_instances() == [] and not after.alive()
    finally:
        if proc.poll() is None:
            proc.send_signal(2)  # a clean stop first: it removes the watcher's packages and stops its servers
            try:
                proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
        for inst in list_instances():
            stop_instance(inst)
