"""Starting and stopping engine processes: ids under concurrency, ports after a restart, fresh state per game,
process identity before any signal, and the RCON password kept off the command line."""

from __future__ import annotations

import errno
import json
import os
import socket
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from factorio_rcon import RCONClient

import factoryverse
from factoryverse.servers import instances, operations, ports
from factoryverse.servers._reservations import RESERVATION
from factoryverse.servers._ports import tcp_port_bindable, udp_port_free
from factoryverse.servers.instances import (
    RCON_BASE_PORT,
    SNAPSHOT_UDP_BASE_PORT,
    Instance,
    ProcessState,
    configure_instance,
    list_instances,
    start_instance,
    stop_instance,
)
from tests.servers._instance import wait_snapshot_complete

_START_TIMEOUT_S = 120.0  # two cold starts sharing two cores; bounded, never slept


@pytest.fixture
def home(fv_home):
    """A private state home (the shared fv_home); everything started in it is stopped afterwards."""
    return fv_home


def _rcon(inst: Instance, lua: str) -> str:
    with RCONClient(inst.rcon_host, inst.rcon_port, inst.rcon_password, timeout=30) as client:
        return client.send_command("/sc " + lua)


def test_public_api_is_pinned():
    assert set(instances.__all__) == {
        "Instance", "InstanceError", "InstanceBusyError", "PortInUseError", "EngineStartError",
        "BackendUnavailableError", "FactorioBinaryError", "BACKENDS", "ProcessState",
        "state_home", "list_instances", "start_instance", "stop_instance", "configure_instance", "RCON_BASE_PORT",
        "SNAPSHOT_UDP_BASE_PORT", "MAX_INSTANCES", "PASSWORD_ENV", "DEFAULT_SEED",
        "DEFAULT_AUTOSAVE_MINUTES", "latest_save", "saves_folder",
    }
    for name in ("InstanceBusyError", "PortInUseError", "EngineStartError", "BackendUnavailableError",
                 "FactorioBinaryError"):
        assert issubclass(getattr(instances, name), instances.InstanceError)


def test_two_concurrent_starts_get_different_ids_and_both_work(home):
    """Regression: two starts at once both took id 0; the loser failed on the busy port after its mods had written
    `phase: bootstrap` into the winner's status.jsonl, leaving the winner's map unreadable."""
    barrier = threading.Barrier(2)
    started: list[Instance] = []
    errors: list[BaseException] = []

    def start() -> None:
        barrier.wait(timeout=10)
        try:
            started.append(start_instance(seed=1, mode="fast"))
        except BaseException as e:  # reported by the assertion below, with its message
            errors.append(e)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(_START_TIMEOUT_S)
    assert not errors, errors
    assert sorted(i.id for i in started) == [0, 1]
    assert started[0].run_id != started[1].run_id
    for inst in started:
        configure_instance(inst)
    for inst in started:
        status = wait_snapshot_complete(inst)
        assert status["run_id"] == inst.run_id
        # Each map is readable through its own folder.
        assert operations.sql(inst.id, "SELECT count(*) AS n FROM resource_tile").rows[0]["n"] > 0


def test_an_explicit_id_that_is_running_is_refused(home):
    inst = start_instance(mode="paused")
    with pytest.raises(instances.InstanceBusyError, match=f"fv server stop {inst.id}"):
        start_instance(inst.id, mode="paused")
    assert inst.alive()  # the refused start touched nothing of the running one


def _time_wait(port: int) -> None:
    """Leave `port` in TIME_WAIT as a server that closed its connections first does, with no listener left."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen()
        client = socket.create_connection(("127.0.0.1", port), timeout=10)
        served, _ = listener.accept()
        served.close()  # the server side closes first: it is the side that goes to TIME_WAIT
        client.settimeout(10)
        assert client.recv(1) == b""  # the server's FIN has arrived
        client.close()


def test_a_port_in_time_wait_is_reused_for_its_instance(home):
    """Regression: the free-port probe bound without SO_REUSEADDR, so right after `fv server stop --all` the ports
    in TIME_WAIT looked busy and `fv server start --num 4` gave RCON 27001, 27006, 27007, 27008."""
    # A new state home's first instance is 0; where another program (a server already running on this machine)
    # holds a scheme port, the ids below the first free one are taken by instances started first.
    k = next(i for i in range(10) if tcp_port_bindable("127.0.0.1", RCON_BASE_PORT + i))
    assert [start_instance(mode="paused").id for _ in range(k)] == list(range(k))
    port = RCON_BASE_PORT + k
    _time_wait(port)
    with socket.socket() as plain, pytest.raises(OSError) as busy:
        plain.bind(("127.0.0.1", port))  # without SO_REUSEADDR: the state the old probe saw
    assert busy.value.errno == errno.EADDRINUSE
    inst = start_instance(mode="paused")
    assert (inst.id, inst.rcon_port) == (k, port)
    assert _rcon(inst, "rcon.print('here')") == "here"


def test_busy_scheme_ports_get_other_ones(home):
    with socket.socket() as tcp, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        # Where another program already holds a port, that is the case under test as well.
        if tcp_port_bindable("127.0.0.1", RCON_BASE_PORT):
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind: TIME_WAIT is no obstacle
            tcp.bind(("127.0.0.1", RCON_BASE_PORT))
            tcp.listen()
        if udp_port_free("127.0.0.1", SNAPSHOT_UDP_BASE_PORT):
            udp.bind(("127.0.0.1", SNAPSHOT_UDP_BASE_PORT))
        inst = start_instance(mode="paused")
        assert inst.id == 0 and inst.rcon_port != RCON_BASE_PORT
        # Not a port of the scheme either: a later instance will want that one.
        assert not SNAPSHOT_UDP_BASE_PORT <= inst.snapshot_udp_port < SNAPSHOT_UDP_BASE_PORT + instances.MAX_INSTANCES
        assert _rcon(inst, "rcon.print('elsewhere')") == "elsewhere"


def test_the_engine_losing_its_port_goes_on_once_more_on_a_free_one_and_says_so(home):
    """The port is free when probed but taken before the engine binds it (the race another program can win, as
    other servers on a busy machine do): the start is tried once more, the engine binding a free port itself."""
    probes = []

    def free_when_probed(host: str, port: int) -> bool:
        probes.append(port)
        return True

    with socket.socket() as holder, pytest.MonkeyPatch.context() as mp:
        mp.setattr(ports, "tcp_port_bindable", free_when_probed)
        if tcp_port_bindable("127.0.0.1", RCON_BASE_PORT):
            holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            holder.bind(("127.0.0.1", RCON_BASE_PORT))
            holder.listen()
        inst = start_instance(mode="paused")
    assert probes[0] == RCON_BASE_PORT and inst.rcon_port != RCON_BASE_PORT
    assert inst.port_notes == [f"RCON port {RCON_BASE_PORT} was in use, so it listens on {inst.rcon_port}"]
    assert _rcon(inst, "rcon.print('moved')") == "moved"
    # The lost attempt left nothing of its own: one game, one record.
    assert [i.id for i in list_instances()] == [inst.id]


def test_a_new_start_is_a_new_game_with_fresh_state(home):
    """Regression: a start reused the folder's old script-output and database, so the new game (seq from 1 again)
    was read through the old game's files."""
    first = start_instance(seed=1, mode="fast")
    configure_instance(first)
    wait_snapshot_complete(first)
    operations.sql(first.id, "SELECT 1")  # creates the map database
    assert first.db_path.exists() and any(first.script_output.rglob("*.jsonl"))
    stop_instance(first)
    old_log = first.log_path.read_text(encoding="utf-8")

    second = start_instance(seed=1, mode="fast")
    assert second.id == first.id and second.run_id != first.run_id
    assert not second.db_path.exists() and not Path(str(second.db_path) + ".wal").exists()
    # fv_snapshot writes nothing before it has the run id, so the folder is empty until configure_instance.
    assert list(second.script_output.rglob("*")) == []
    assert (Path(second.folder) / "server.log.1").read_text(encoding="utf-8") == old_log
    configure_instance(second)
    assert wait_snapshot_complete(second)["run_id"] == second.run_id


def test_the_record_holds_the_run_manifest(home):
    inst = start_instance(seed=5, mode="paused")
    manifest = inst.manifest()
    assert len(manifest["run_id"]) == 32 and manifest["seed"] == 5
    assert manifest["factoryverse_version"] == factoryverse.__version__
    # One Factorio version per game: 2.0 by default, with its base data and runtime API versions.
    assert (manifest["factorio_version"], manifest["factorio_base_version"], manifest["factorio_api_version"]) == (
        "2.0", "2.0.77", "2.0.75")
    # The mods the engine really loaded, with the versions the running game reports.
    active = json.loads(_rcon(inst, "rcon.print(helpers.table_to_json(script.active_mods))"))
    assert manifest["mods"] == {k: v for k, v in active.items() if k not in ("base", "core")}
    assert list_instances()[0].manifest() == manifest
    record = Path(inst.folder) / "instance.json"
    assert record.stat().st_mode & 0o777 == 0o600


def test_the_password_is_not_on_the_engines_command_line(home):
    """Regression: the RCON password was an argument of the engine process, readable by every local user in `ps`."""
    inst = start_instance(mode="paused", rcon_password="known-pw-for-peers")
    assert inst.rcon_password == "known-pw-for-peers"
    cmdline = Path(f"/proc/{inst.pid}/cmdline").read_bytes()
    assert b"factoryverse.engine.server" in cmdline and b"known-pw-for-peers" not in cmdline
    assert _rcon(inst, "rcon.print('ok')") == "ok"


def test_an_empty_password_is_refused(home):
    with pytest.raises(instances.InstanceError, match="password is empty"):
        start_instance(rcon_password="")
    assert list_instances() == []


def test_a_record_whose_start_time_differs_is_never_signalled(home):
    """The pid is our engine's, but the record's start time is not: the pid was recycled (here: by an engine)."""
    inst = start_instance(mode="paused")
    assert inst.process_state() is ProcessState.RUNNING
    stale = replace(inst, process_start=inst.process_start - 1)
    assert stale.process_state() is ProcessState.REPLACED and not stale.alive()
    assert stop_instance(stale) is False
    assert inst.alive()
    assert _rcon(inst, "rcon.print('still here')") == "still here"
    assert stop_instance(inst) is True
    assert inst.process_state() is ProcessState.DEAD


def test_an_engine_that_cannot_start_says_why(home, tmp_path):
    with pytest.raises(instances.EngineStartError, match="no-such-mods does not exist"):
        start_instance(mode="paused", mods_dir=tmp_path / "no-such-mods")
    assert list_instances() == []
    assert not (home / "instances" / "0" / RESERVATION).exists()  # the id is free again


def test_a_resume_picks_the_newest_save_its_backend_can_load(home):
    """saves/ outlives a run, so one folder can hold the engine's .fvsave and real Factorio's .zip saves; each
    backend resumes from the newest of its own kind, never from the other's (its game cannot load that)."""
    folder = instances.saves_folder(5)
    folder.mkdir(parents=True)
    for name, mtime in (("old-embedded.fvsave", 1), ("world.zip", 2), ("new-embedded.fvsave", 3),
                        ("_autosave1.zip", 4), ("notes.txt", 5), ("half-written.zip.tmp", 6)):
        (folder / name).write_bytes(b"x")
        os.utime(folder / name, ns=(mtime * 10**9, mtime * 10**9))
    (folder / "a-folder.zip").mkdir()  # not a file: not a save
    assert instances.latest_save(5).name == "new-embedded.fvsave"
    assert instances.latest_save(5, "embedded").name == "new-embedded.fvsave"
    assert instances.latest_save(5, "local").name == "_autosave1.zip"
    assert instances.latest_save(5, "docker").name == "_autosave1.zip"
    (folder / "_autosave1.zip").unlink()
    (folder / "world.zip").unlink()
    with pytest.raises(instances.InstanceError, match=r"instance 5 has no save to resume on the local backend: .* "
                                                      r"holds no \*\.zip file"):
        instances.latest_save(5, "local")
    with pytest.raises(instances.InstanceError, match="no server backend 'cloud'"):
        instances.latest_save(5, "cloud")
