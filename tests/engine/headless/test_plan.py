"""From a command line to a plan: RCON and game addresses, the seed's precedence, what each action loads."""

from __future__ import annotations

import json
import subprocess

import pytest

from factoryverse.engine.factorio_versions import UnsupportedFactorioVersionError
from factoryverse.engine.headless import VERSION_ENV, OptionError, parse_options, write_launcher
from factoryverse.engine.headless._plan import make_plan


def _plan(*argv: str):
    return make_plan(parse_options(list(argv)))


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(VERSION_ENV, raising=False)


def test_rcon_as_the_game_binds_it():
    p = _plan("--create", "a", "--rcon-port", "27015", "--rcon-password", "pw")
    assert (p.rcon.host, p.rcon.port, p.rcon.password, p.rcon.announced) == ("0.0.0.0", 27015, "pw", True)
    p = _plan("--create", "a", "--rcon-bind", "127.0.0.1:0", "--rcon-password", "pw")
    assert (p.rcon.host, p.rcon.port) == ("127.0.0.1", 0)
    hidden = _plan("--create", "a").rcon
    assert hidden.host == "127.0.0.1" and hidden.port == 0 and not hidden.announced and len(hidden.password) >= 24
    with pytest.raises(OptionError, match="--rcon-bind 127.0.0.1: give ADDRESS:PORT"):
        _plan("--create", "a", "--rcon-bind", "127.0.0.1", "--rcon-password", "pw")
    with pytest.raises(OptionError, match="RCON needs a password"):
        _plan("--create", "a", "--rcon-bind", "127.0.0.1:1")


def test_game_address_from_port_and_bind():
    assert _plan("--create", "a").game_bind == "0.0.0.0:34197"
    assert _plan("--create", "a", "--bind", "10.1.2.3").game_bind == "10.1.2.3:34197"
    assert _plan("--create", "a", "--bind", "127.0.0.1:4000", "--port", "5000").game_bind == "127.0.0.1:5000"


def test_the_seed_flag_wins_over_the_file_and_a_map_without_one_gets_a_random_seed(tmp_path):
    (tmp_path / "mgs.json").write_text(json.dumps({"seed": 11, "water": 2}))
    assert _plan("--create", "a", "--map-gen-settings", "mgs.json").seed == 11
    assert _plan("--create", "a", "--map-gen-settings", "mgs.json", "--map-gen-seed", "12").seed == 12
    seeds = {_plan("--create", "a").seed for _ in range(8)}
    assert len(seeds) > 1 and all(0 <= s < 2**32 for s in seeds)


def test_actions_need_their_value_and_one_of_them_is_needed():
    with pytest.raises(OptionError, match="nothing to do"):
        _plan("--rcon-port", "1")
    with pytest.raises(OptionError, match="--start-server-load-scenario needs a value"):
        _plan("--start-server-load-scenario", "")
    p = _plan("--start-server-load-scenario", "fv_embodied_agent/lab-grid")
    assert p.scenario == "fv_embodied_agent/lab-grid" and p.save is None


def test_the_version_comes_from_the_environment(monkeypatch):
    assert _plan("--create", "a").version.name == "2.0"
    monkeypatch.setenv(VERSION_ENV, "2.1")
    assert _plan("--create", "a").version.base == "2.1.20"
    monkeypatch.setenv(VERSION_ENV, "3.0")
    with pytest.raises(UnsupportedFactorioVersionError, match="'3.0' is not one the engine runs as"):
        _plan("--create", "a")


def test_a_launcher_can_fix_its_version(tmp_path):
    launcher = write_launcher(tmp_path / "bin", factorio_version="2.1")
    out = subprocess.run([str(launcher), "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("Version: 2.1.20 (build 0"), out.stdout + out.stderr
