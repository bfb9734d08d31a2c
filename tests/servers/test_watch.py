"""Hot reload (servers/watch.py) against real embedded servers, a real copy of the mods and real file changes: the
watcher runs in a thread and each test waits on its reload reports with a bounded timeout."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from factorio_rcon import RCONClient

from factoryverse.engine.headless import write_launcher
from factoryverse.engine.mods import BUNDLED_MODS_DIR
from factoryverse.engine.save.savefile import read_save
from factoryverse.servers._lua_syntax import check_mods_syntax
from factoryverse.servers._reload import ReloadError, await_save, game_tick
from factoryverse.servers.instances import Instance, configure_instance, list_instances, start_instance, stop_instance
from factoryverse.servers.watch import ModWatcher, ReloadReport, WatchError

# A reload saves, stops and starts each server: a few seconds on a loaded 2-core machine, far less when idle.
_REPORT_TIMEOUT_S = 120.0
_READY_TIMEOUT_S = 30.0
_EDITED = "fv_placement_hints/control.lua"
_PROBE = '\nremote.add_interface("fv_watch_probe", {answer = function() return 42 end})\n'
_INTERFACES = "local t = {} for name in pairs(remote.interfaces) do t[#t + 1] = name end table.sort(t) " \
              "rcon.print(table.concat(t, ','))"
# Records what on_configuration_changed was told about this mod, through the core event_handler the mod uses.
_CHANGE_PROBE = """
handler.add_lib({on_configuration_changed = function(data)
  local change = data.mod_changes["fv_placement_hints"]
  storage.fv_watch_change = change and (tostring(change.old_version) .. "->" .. tostring(change.new_version)) or "none"
end})
remote.add_interface("fv_watch_change", {get = function() return storage.fv_watch_change or "unset" end})
"""
_PROBE_CALL = ("/sc rcon.print(remote.interfaces['fv_watch_probe'] and remote.call('fv_watch_probe', 'answer') "
               "or 'none')")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FACTORYVERSE_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def mods(tmp_path: Path) -> Path:
    """A copy of the repository's mods for the test to edit."""
    dest = tmp_path / "mods"
    shutil.copytree(BUNDLED_MODS_DIR, dest, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    return dest


@pytest.fixture
def servers(home: Path, mods: Path, request: pytest.FixtureRequest) -> Iterator[list[Instance]]:
    """`request.param` (default 1) fast-mode servers started from the copy, as `fv server start --mods-dir` does."""
    started: list[Instance] = []
    try:
        for _ in range(getattr(request, "param", 1)):
            inst = start_instance(mode="fast", mods_dir=mods)
            started.append(inst)
            configure_instance(inst)
        yield started
    finally:
        # Whatever runs under this home now: a reload replaces the records the test started with.
        for inst in [*started, *list_instances()]:
            stop_instance(inst)


@contextmanager
def watching(servers: list[Instance], mods: Path) -> Iterator[tuple[ModWatcher, queue.Queue[ReloadReport]]]:
    reports: queue.Queue[ReloadReport] = queue.Queue()
    watcher = ModWatcher(servers, mods_source=mods, on_report=reports.put, debounce_ms=200)
    stop = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            watcher.run(stop)
        except BaseException as exc:  # surfaced in the test thread below
            failure.append(exc)

    thread = threading.Thread(target=run, name="fv-watch-test")
    thread.start()
    try:
        assert watcher.ready.wait(_READY_TIMEOUT_S), "the file watch was not set up"
        yield watcher, reports
    finally:
        stop.set()
        thread.join(_REPORT_TIMEOUT_S)
        for inst in watcher.instances:
            stop_instance(inst)
        watcher.close()
    assert not thread.is_alive(), "the watcher did not stop on its stop event"
    assert not failure, failure


def next_report(reports: queue.Queue[ReloadReport]) -> ReloadReport:
    return reports.get(timeout=_REPORT_TIMEOUT_S)


def append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


def lua(inst: Instance, code: str) -> str:
    client = RCONClient(inst.rcon_host, inst.rcon_port, inst.rcon_password, timeout=30)
    try:
        return (client.send_command(code if code.startswith("/") else f"/sc {code}") or "").strip()
    finally:
        client.close()


def mark_game(inst: Instance, udp: socket.socket) -> dict:
    """Things only this game has: a chest, an agent, a value in the level's storage."""
    chest = int(lua(inst, "local e = game.surfaces[1].create_entity{name = 'wooden-chest', position = {7.5, 9.5}, "
                          "force = 'player'} rcon.print(e.unit_number)"))
    agent = lua(inst, f"rcon.print(remote.call('agent', 'create_agent', {udp.getsockname()[1]}, "
                      "{position = {x = 3, y = 4}}).interface_name)")
    lua(inst, "storage.fv_watch_marker = 'kept'")
    return {"chest": chest, "agent": agent}


def assert_same_game(inst: Instance, marks: dict) -> None:
    assert lua(inst, f"rcon.print(game.get_entity_by_unit_number({marks['chest']}).name)") == "wooden-chest"
    assert lua(inst, f"rcon.print(remote.interfaces['{marks['agent']}'] and 'yes' or 'no')") == "yes"
    assert lua(inst, "rcon.print(storage.fv_watch_marker)") == "kept"


@pytest.fixture
def udp() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    yield sock
    sock.close()


@pytest.mark.parametrize("servers", [2], indirect=True)
def test_a_mod_change_reloads_every_server_and_each_game_goes_on(servers, mods, udp):
    marks = {inst.id: mark_game(inst, udp) for inst in servers}
    # One game paused at half speed: it must come back exactly so, at the very tick it was saved.
    paused = servers[0].id
    lua(servers[0], "game.speed = 0.5 game.tick_paused = true")
    before = {inst.id: (inst.pid, inst.ports(), inst.rcon_password, game_tick(inst)) for inst in servers}
    assert all(lua(inst, _PROBE_CALL) == "none" for inst in servers)
    with watching(servers, mods) as (watcher, reports):
        append(mods / _EDITED, _PROBE)
        report = next_report(reports)
        assert report.ok, report.lines()
        assert report.changed == (_EDITED,)
        assert sorted(r.instance_id for r in report.instances) == sorted(before)
        for result in report.instances:
            pid, port, password, tick = before[result.instance_id]
            inst = result.instance
            assert inst is not None and inst.alive()
            assert inst.pid != pid, "the server was not restarted"
            assert (inst.ports(), inst.rcon_password) == (port, password)
            # The game went on from its save, which holds a tick at or after the one read before the change.
            header, _ = read_save(result.save)
            assert header.tick >= tick and result.tick is not None and result.tick >= header.tick
            clock = lua(inst, "rcon.print(game.speed .. ' ' .. tostring(game.tick_paused))")
            if inst.id == paused:
                assert header.tick == tick == result.tick == game_tick(inst)
                assert clock == "0.5 true"
            else:
                assert clock == "1 false"
            assert lua(inst, _PROBE_CALL) == "42"
            assert_same_game(inst, marks[inst.id])
        assert {i.id for i in watcher.instances} == set(before)


def test_a_syntax_error_is_reported_and_the_servers_run_on_untouched(servers, mods, udp):
    (inst,) = servers
    marks = mark_game(inst, udp)
    with watching(servers, mods) as (watcher, reports):
        append(mods / _EDITED, "\nlocal broken = = 1\n")
        line = (mods / _EDITED).read_text(encoding="utf-8").count("\n")
        report = next_report(reports)
        assert not report.ok and report.instances == ()
        (problem,) = report.syntax_errors
        assert (problem.file, problem.line) == (_EDITED, line)
        assert f"{_EDITED}:{line}:" in "\n".join(report.lines())
        assert watcher.instances == [inst] and inst.alive()
        assert_same_game(inst, marks)
        # Fixed: the next change is taken.
        text = (mods / _EDITED).read_text(encoding="utf-8").replace("\nlocal broken = = 1\n", _PROBE)
        (mods / _EDITED).write_text(text, encoding="utf-8")
        report = next_report(reports)
        assert report.ok, report.lines()
        (now,) = watcher.instances
        assert lua(now, _PROBE_CALL) == "42"
        assert_same_game(now, marks)


def test_a_mod_that_fails_to_load_brings_the_game_back_with_the_last_good_mods(servers, mods, udp):
    (inst,) = servers
    marks = mark_game(inst, udp)
    tick = game_tick(inst)
    with watching(servers, mods) as (watcher, reports):
        append(mods / _EDITED, _PROBE + 'error("broken on load by the watch test")\n')
        line = (mods / _EDITED).read_text(encoding="utf-8").count("\n")
        report = next_report(reports)
        assert not report.ok
        (result,) = report.instances
        assert not result.reloaded and result.error is not None
        assert f"control.lua:{line}" in result.error and "broken on load by the watch test" in result.error
        back = result.instance
        assert back is not None and back.alive() and watcher.instances == [back]
        assert result.tick is not None and result.tick >= tick
        assert lua(back, _PROBE_CALL) == "none", "it should run the mods from before the change"
        assert_same_game(back, marks)
        # The last good save is kept: fixing the file reloads from it.
        text = (mods / _EDITED).read_text(encoding="utf-8").replace('error("broken on load by the watch test")\n', "")
        (mods / _EDITED).write_text(text, encoding="utf-8")
        report = next_report(reports)
        assert report.ok, report.lines()
        (now,) = watcher.instances
        assert lua(now, _PROBE_CALL) == "42"
        assert_same_game(now, marks)


def test_a_server_stopped_by_the_user_is_not_brought_back(servers, mods):
    (inst,) = servers
    with watching(servers, mods) as (watcher, reports):
        stop_instance(inst)
        append(mods / _EDITED, _PROBE)
        report = next_report(reports)
        assert report.instances == () and report.problem is not None and "no watched server" in report.problem
        assert watcher.instances == [] and list_instances() == []


def test_the_watcher_refuses_what_it_cannot_watch(home, tmp_path, mods):
    inst = Instance(id=0, pid=1, rcon_host="127.0.0.1", rcon_port=1, rcon_password="x", snapshot_udp_port=1, seed=1,
                    folder=str(tmp_path), started_at=0.0)
    with pytest.raises(WatchError, match="no servers to watch"):
        ModWatcher([], mods_source=mods)
    with pytest.raises(WatchError, match="does not exist"):
        ModWatcher([inst], mods_source=tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(WatchError, match="holds no mod folders"):
        ModWatcher([inst], mods_source=tmp_path / "empty")


def test_the_syntax_check_names_file_and_line_of_each_broken_file(mods):
    assert check_mods_syntax(mods) == []
    (mods / "fv_snapshot" / "scripts" / "extra.lua").write_text("local a = 1\nlocal s = 'open\n", encoding="utf-8")
    append(mods / _EDITED, "\nif then\n")
    problems = check_mods_syntax(mods)
    assert [(p.file, p.line) for p in problems] == [
        (_EDITED, (mods / _EDITED).read_text(encoding="utf-8").count("\n")),
        ("fv_snapshot/scripts/extra.lua", 2),
    ]
    assert "unfinished string" in problems[1].message


def test_a_version_bump_runs_on_configuration_changed_and_a_code_change_only_on_load(servers, mods):
    (inst,) = servers
    with watching(servers, mods) as (watcher, reports):
        append(mods / _EDITED, _CHANGE_PROBE)
        report = next_report(reports)
        assert report.ok, report.lines()
        (now,) = watcher.instances
        # Same mod versions: Factorio runs on_load only, so the handler has not run.
        assert lua(now, "rcon.print(remote.call('fv_watch_change', 'get'))") == "unset"
        info = mods / "fv_placement_hints" / "info.json"
        old = json.loads(info.read_text(encoding="utf-8"))["version"]
        new = ".".join([*old.split(".")[:-1], str(int(old.split(".")[-1]) + 1)])
        info.write_text(info.read_text(encoding="utf-8").replace(f'"{old}"', f'"{new}"'), encoding="utf-8")
        report = next_report(reports)
        assert report.ok, report.lines()
        (now,) = watcher.instances
        assert now.mods["fv_placement_hints"] == new
        assert lua(now, "rcon.print(remote.call('fv_watch_change', 'get'))") == f"{old}->{new}"


def test_a_scenario_game_reloads_with_its_level_script(home, mods):
    """The seed's `fv server start --scenario test-ground --watch`: the scenario's game goes on as that scenario."""
    inst = start_instance(mode="fast", mods_dir=mods, scenario="test-ground")
    try:
        configure_instance(inst)
        interfaces = lua(inst, _INTERFACES)
        with watching([inst], mods) as (watcher, reports):
            append(mods / _EDITED, _PROBE)
            report = next_report(reports)
            assert report.ok, report.lines()
            (now,) = watcher.instances
            assert now.scenario == inst.scenario == "fv_embodied_agent/test-ground"
            assert lua(now, _INTERFACES) == ",".join(sorted([*interfaces.split(","), "fv_watch_probe"]))
    finally:
        for running in [inst, *list_instances()]:
            stop_instance(running)


def test_the_public_api_is_pinned():
    from factoryverse.servers import watch

    assert set(watch.__all__) == {"ModWatcher", "ReloadReport", "InstanceReload", "WatchError", "ReloadError",
                                  "LuaSyntaxProblem"}


def _record(tmp_path: Path) -> Instance:
    return Instance(id=3, pid=1, rcon_host="127.0.0.1", rcon_port=1, rcon_password="x", snapshot_udp_port=1, seed=1,
                    folder=str(tmp_path), started_at=0.0)


def test_a_save_that_lands_after_the_reply_is_awaited_by_its_file(tmp_path):
    """Real Factorio may answer /save before the file is written: the file's arrival is what counts."""
    inst = _record(tmp_path)
    inst.saves.mkdir()
    writer = threading.Thread(target=(inst.saves / "_hotreload1.zip").write_bytes, args=(b"PK\x05\x06" + bytes(18),))
    writer.start()
    try:
        assert await_save(inst, inst.saves, "_hotreload1", 30.0, "") == inst.saves / "_hotreload1.zip"
    finally:
        writer.join()


def test_a_save_that_never_lands_fails_in_bounded_time_naming_the_folder(tmp_path):
    inst = _record(tmp_path)
    (inst.saves / "_hotreload2.fvsave.tmp").parent.mkdir(parents=True)
    (inst.saves / "_hotreload2.fvsave.tmp").write_bytes(b"half")  # a temporary file is not the save
    with pytest.raises(ReloadError, match=r"did not write _hotreload2 into .* within 1 s"):
        await_save(inst, inst.saves, "_hotreload2", 1.0, "")


def test_a_server_of_the_local_backend_reloads_on_its_binary(home, mods, tmp_path, udp):
    """The local backend (a `factorio` binary, here the engine's Factorio command line behind a launcher) is
    restarted as itself: same backend and binary, the game from its save."""
    factorio = write_launcher(tmp_path / "factorio-bin", factorio_version="2.0")
    inst = start_instance(backend="local", factorio_bin=factorio, mods_dir=mods, autosave_minutes=0)
    try:
        configure_instance(inst)
        marks = mark_game(inst, udp)
        with watching([inst], mods) as (watcher, reports):
            append(mods / _EDITED, _PROBE)
            report = next_report(reports)
            assert report.ok, report.lines()
            (now,) = watcher.instances
            assert (now.backend, now.factorio_bin, now.ports()) == ("local", str(factorio), inst.ports())
            assert now.pid != inst.pid
            assert lua(now, _PROBE_CALL) == "42"
            assert_same_game(now, marks)
    finally:
        for running in [inst, *list_instances()]:
            stop_instance(running)


def test_a_crashed_local_server_comes_back_from_its_newest_zip_save(home, mods, tmp_path):
    """A local server that died with no reload save of its own is started again from the newest save its game
    wrote (.zip, real Factorio's kind), never from a newer engine save (.fvsave) kept in the same saves/."""
    factorio = write_launcher(tmp_path / "factorio-bin", factorio_version="2.0")
    inst = start_instance(backend="local", factorio_bin=factorio, mods_dir=mods, autosave_minutes=0)
    try:
        (created,) = inst.saves.glob("seed*.zip")  # the map the server was created as
        os.kill(inst.pid, signal.SIGKILL)  # no save on the way out
        os.waitpid(inst.pid, 0)
        (inst.saves / "embedded-run.fvsave").write_bytes(b"not a game this server can load")
        with watching([inst], mods) as (watcher, reports):
            append(mods / _EDITED, _PROBE)
            report = next_report(reports)
            assert report.ok, report.lines()
            (now,) = watcher.instances
            assert (now.backend, report.instances[0].save) == ("local", created)
            args = Path(f"/proc/{now.pid}/cmdline").read_bytes().decode().split("\0")
            assert args[args.index("--start-server") + 1] == str(created)
            assert lua(now, _PROBE_CALL) == "42"
    finally:
        for running in [inst, *list_instances()]:
            stop_instance(running)
