"""The docker backend: the `docker run` it builds, checked against the factoriotools/factorio image's documented
interface (its README and docker-entrypoint.sh / scenario.sh: /factorio volumes, config/rconpw, PORT, RCON_PORT,
GENERATE_NEW_SAVE, SAVE_NAME, LOAD_LATEST_SAVE, PUID/PGID, extra arguments passed on to the server), the files it
prepares, and its typed errors when docker is missing or its daemon is down. No container is run here: this
machine has no Docker daemon (docs/servers.md says what is and is not tested)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from factoryverse.servers.backends import docker as backend
from factoryverse.servers.backends._spec import LaunchSpec
from factoryverse.servers.instances import BackendUnavailableError, list_instances, start_instance
from factoryverse.servers.ports import scheme_ports


def _spec(folder: Path, **kw) -> LaunchSpec:
    return LaunchSpec(instance_id=3, folder=folder, ports=scheme_ports(3), password="pw-3", seed=42,
                      factorio_version=kw.pop("factorio_version", "2.0"), **kw)


def _env(cmd: list[str]) -> dict[str, str]:
    return dict(cmd[i + 1].split("=", 1) for i, a in enumerate(cmd) if a == "--env")


def _volumes(cmd: list[str]) -> dict[str, str]:
    return {cmd[i + 1].split(":")[1]: cmd[i + 1].split(":")[0] for i, a in enumerate(cmd) if a == "--volume"}


def test_a_new_game_is_the_images_generate_new_save_with_the_instances_ports(tmp_path):
    spec = _spec(tmp_path)
    cmd = backend.docker_run_command(spec, uid=1000, gid=1000)
    assert cmd[:4] == ["docker", "run", "--detach", "--name"] and cmd[4] == "factoryverse-3"
    # Host networking: helpers.send_udp sends to localhost, which must be this machine.
    assert cmd[cmd.index("--network") + 1] == "host" and "--publish" not in cmd and "-p" not in cmd
    assert cmd[cmd.index("--stop-signal") + 1] == "SIGINT"
    env = _env(cmd)
    assert (env["PORT"], env["RCON_PORT"]) == ("34200", "27003")
    assert (env["GENERATE_NEW_SAVE"], env["LOAD_LATEST_SAVE"]) == ("true", "false")
    assert env["SAVE_NAME"].startswith("factoryverse-seed42-3-")
    assert (env["PUID"], env["PGID"]) == ("1000", "1000")
    assert _volumes(cmd) == {f"/factorio/{sub}": str(tmp_path.resolve() / sub)
                             for sub in ("config", "mods", "saves", "script-output")}
    # The image and tag for the version, then the arguments the entrypoint passes on to the server.
    assert cmd[-3:] == ["factoriotools/factorio:2.0", "--enable-lua-udp", "34232"]


def test_resume_load_and_scenario_follow_the_images_interface(tmp_path):
    resume = backend.docker_run_command(_spec(tmp_path, resume=True))
    assert (_env(resume)["LOAD_LATEST_SAVE"], _env(resume)["GENERATE_NEW_SAVE"]) == ("true", "false")
    load = backend.docker_run_command(_spec(tmp_path, load=tmp_path / "saves" / "mine.zip"))
    assert (_env(load)["SAVE_NAME"], _env(load)["LOAD_LATEST_SAVE"]) == ("mine", "false")
    scen = backend.docker_run_command(_spec(tmp_path, scenario="fv_embodied_agent/lab-grid", factorio_version="2.1"))
    assert scen[scen.index("--entrypoint") + 1] == "/scenario.sh"
    assert scen[-2:] == ["factoriotools/factorio:2.1", "fv_embodied_agent/lab-grid"]
    assert "GENERATE_NEW_SAVE" not in _env(scen)
    custom = backend.docker_run_command(_spec(tmp_path, docker_image="me/factorio-fv:2.0.77"))
    assert "me/factorio-fv:2.0.77" in custom


def test_the_instance_folder_is_prepared_as_the_container_reads_it(tmp_path):
    spec = _spec(tmp_path, autosave_minutes=5)
    backend.prepare(spec)
    config = tmp_path / "config"
    assert (config / "rconpw").read_text() == "pw-3\n" and (config / "rconpw").stat().st_mode & 0o777 == 0o600
    assert json.loads((config / "map-gen-settings.json").read_text()) == {"seed": 42}
    settings = json.loads((config / "server-settings.json").read_text())
    assert (settings["autosave_interval"], settings["auto_pause"]) == (5, False)
    info = json.loads((tmp_path / "mods" / "fv_snapshot_0.3.3" / "info.json").read_text())
    assert info["factorio_version"] == "2.0"
    assert (tmp_path / "saves").is_dir() and (tmp_path / "script-output").is_dir()


def test_a_mods_dir_is_mounted_as_the_containers_mods_as_it_is(tmp_path):
    """`fv server start --backend docker --mods-dir DIR` (and hot reload's packaged mods): DIR is the game's
    mods/, used as it is, as the local backend gives it to --mod-directory; nothing is packaged into the folder."""
    mods = tmp_path / "my mods"
    (mods / "fv_snapshot_0.1.0").mkdir(parents=True)
    folder = tmp_path / "instance"
    spec = _spec(folder, mods_dir=mods)
    backend.prepare(spec)
    assert not (folder / "mods").exists() and (mods / "fv_snapshot_0.1.0").is_dir()
    cmd = backend.docker_run_command(spec)
    assert _volumes(cmd) == {"/factorio/mods": str(mods.resolve()),
                             **{f"/factorio/{sub}": str(folder.resolve() / sub)
                                for sub in ("config", "saves", "script-output")}}
    # The mount is one argument however the path is spelled, so a space in it cannot split it.
    assert f"{mods.resolve()}:/factorio/mods" in cmd


def test_a_mods_dir_that_cannot_be_mounted_is_refused_before_docker_is_asked(tmp_path):
    with pytest.raises(backend.InstanceError, match="does not exist; give a folder of mods or drop --mods-dir"):
        backend.prepare(_spec(tmp_path / "instance", mods_dir=tmp_path / "no-such-mods"))
    colon = tmp_path / "mods:v2"
    colon.mkdir()
    with pytest.raises(backend.InstanceError, match="splits paths at ':'"):
        backend.prepare(_spec(tmp_path / "instance", mods_dir=colon))


def test_what_a_real_server_cannot_do_is_refused_before_docker_is_asked(tmp_path):
    with pytest.raises(backend.InstanceError, match="runs in real time"):
        backend.prepare(_spec(tmp_path, mode="paused"))
    with pytest.raises(backend.InstanceError, match="whole number of minutes"):
        backend.prepare(_spec(tmp_path, autosave_minutes=2.5))


def test_no_docker_on_path_is_a_typed_error_that_says_what_to_do(fv_home, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing in it
    with pytest.raises(BackendUnavailableError, match="no `docker` on PATH: install Docker Engine"):
        start_instance(backend="docker")
    assert list_instances() == []


@pytest.mark.skipif(shutil.which("docker") is None, reason="needs the docker CLI (not its daemon)")
def test_a_daemon_that_does_not_answer_is_a_typed_error_that_says_what_to_do(fv_home, monkeypatch, tmp_path):
    # The real docker CLI, pointed at a socket nothing listens on: what a stopped daemon looks like.
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-daemon.sock'}")
    with pytest.raises(BackendUnavailableError, match=r"the Docker daemon does not answer \(.*\): start it"):
        start_instance(backend="docker")
    assert list_instances() == []


@pytest.mark.skipif(shutil.which("docker") is None, reason="needs the docker CLI (not its daemon)")
def test_the_real_docker_cli_parses_every_command_the_backend_builds(tmp_path, monkeypatch):
    """The CLI checks its flags before it calls the daemon: with no daemon, a well-formed command fails only on the
    connection, a malformed one on its flags."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-daemon.sock'}")
    docker = shutil.which("docker")
    commands = [backend.docker_run_command(_spec(tmp_path), docker=docker),
                backend.docker_run_command(_spec(tmp_path, scenario="lab-grid"), docker=docker),
                backend.docker_run_command(_spec(tmp_path, mods_dir=tmp_path / "my mods"), docker=docker),
                [docker, "stop", "-t", "60", "factoryverse-3"]]
    for cmd in commands:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
        assert out.returncode != 0 and "Cannot connect to the Docker daemon" in out.stderr, (cmd, out.stderr)
    bad = subprocess.run([docker, "run", "--no-such-flag", "x"], capture_output=True, text=True, timeout=30)
    assert "unknown flag: --no-such-flag" in bad.stderr  # the check above can fail
