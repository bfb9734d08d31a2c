"""fv_snapshot's change sampler keeps going when a watched entity goes without an event we hear.

Regression tests for the stuck sampler (fv_snapshot 0.3.3): a revived ghost or an entity destroyed without
raise_destroy stays in the watch list; removing the entity before it read the gone one's unit_number, the read
raised half-way through the removal, and the sampler then stood on a slot its index had lost, so no entity_changed
delta was sent again for the rest of the game (the SDK tests saw seq stay put for 370,000 ticks). Every test runs on
each Factorio version (conftest.py).
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

from factoryverse.engine.engine import Engine

from .test_mods_on_engine import _call
from .test_snapshot_records import _log, _sc
from .test_snapshot_runs import _bootstrap

# The sampler sees 16 entities every 5 ticks; a few chests are seen whole within a few samples.
_MAX_TICKS = 300


def _chests(engine: Engine, xs: list[float]) -> list[int]:
    """Wooden chests built with raise_built (so the snapshot watches them), kept in the level's storage.chests."""
    _sc(engine, "storage.chests = {}")
    units = []
    for x in xs:
        units.append(int(_sc(engine, f"""
local c = game.surfaces[1].create_entity{{name = 'wooden-chest', position = {{{x}, 0.5}}, force = 'player',
  raise_built = true}}
storage.chests[#storage.chests + 1] = c
rcon.print(c.unit_number)""")))
    return units


def _start(engine: Engine, udp_port: int = 34999) -> None:
    _call(engine, "map", "set_snapshot_config", f"{{run_id = 'run-w', udp_port = {udp_port}}}")
    _bootstrap(engine)


def _run_until_changed(engine: Engine, tmp_path: Path, unit: int) -> list[dict]:
    """Step until the log has a sampled entity_changed of `unit` (bounded); the log as it is then."""
    for _ in range(_MAX_TICKS):
        log = _log(tmp_path)
        if any(r["type"] == "entity_changed" and r["entity"]["unit_number"] == unit for r in log):
            return log
        engine.step()
    raise AssertionError(f"no entity_changed for unit {unit} within {_MAX_TICKS} ticks; errors: "
                         f"{engine.mod_errors}; log: {[(r['seq'], r['type']) for r in _log(tmp_path)]}")


def _removals(log: list[dict]) -> dict[int, dict]:
    return {r["unit_number"]: r for r in log if r["type"] == "entity_removed"}


def _datagrams(sock: socket.socket) -> list[dict]:
    out = []
    while True:
        try:
            out.append(json.loads(sock.recv(65536)))
        except BlockingIOError:
            return out


def test_mining_an_entity_after_another_went_silently_keeps_the_deltas_coming(engine, tmp_path, udp):
    """The SDK tests' case: the last watched chest goes without an event, then a mined chest's removal swaps it into
    the freed slot. The chest filled afterwards reaches the log and UDP, and the silent one is sent as removed."""
    _start(engine, udp.getsockname()[1])
    first, filled, silent = _chests(engine, [3.5, 5.5, 7.5])
    _sc(engine, "storage.chests[3].destroy()")
    _sc(engine, "storage.chests[1].destroy{raise_destroy = true}")
    _sc(engine, "storage.chests[2].insert{name = 'iron-plate', count = 5}")
    log = _run_until_changed(engine, tmp_path, filled)

    assert engine.mod_errors == []
    changed = next(r for r in log if r["type"] == "entity_changed" and r["entity"]["unit_number"] == filled)
    assert changed["cause"] == "sampled"
    assert changed["entity"]["inventories"]["chest"] == {"iron-plate": 5}
    removed = _removals(log)
    assert removed[first]["event"] == "script_raised_destroy"
    assert (removed[silent]["event"], removed[silent]["name"], removed[silent]["x"], removed[silent]["y"]) == (
        "sampled", "wooden-chest", 7.5, 0.5)
    assert [r["seq"] for r in log] == list(range(1, len(log) + 1))
    # UDP carries what the file has, record for record.
    sent = {r["seq"]: r for r in _datagrams(udp)}
    assert sent[changed["seq"]] == changed and sent[removed[silent]["seq"]] == removed[silent]


def test_two_silent_removals_side_by_side_do_not_stop_the_sampler(engine, tmp_path):
    """The sampler's own clean-up: freeing a gone entity's slot moved the other gone one into it."""
    _start(engine)
    filled, gone_a, gone_b = _chests(engine, [3.5, 5.5, 7.5])
    _sc(engine, "storage.chests[2].destroy() storage.chests[3].destroy()")
    engine.run_ticks(30)  # several samples find both gone before the chest changes
    _sc(engine, "storage.chests[1].insert{name = 'copper-plate', count = 3}")
    log = _run_until_changed(engine, tmp_path, filled)
    assert engine.mod_errors == []
    assert {u: r["event"] for u, r in _removals(log).items()} == {gone_a: "sampled", gone_b: "sampled"}


def test_a_revived_ghost_is_sent_as_removed(engine, tmp_path):
    """A ghost the agent mod builds (revive with raise_revive) goes without an event of its own: the entity_built of
    what replaced it names another unit, so without its removal the ghost would stay in the map's ghost table."""
    _start(engine)
    ghost = int(_sc(engine, """
storage.ghost = game.surfaces[1].create_entity{name = 'entity-ghost', inner_name = 'wooden-chest',
  position = {9.5, 0.5}, force = 'player', raise_built = true}
rcon.print(storage.ghost.unit_number)"""))
    (chest,) = _chests(engine, [3.5])
    built = int(_sc(engine, "local _, e = storage.ghost.revive{raise_revive = true} rcon.print(e.unit_number)"))
    _sc(engine, "storage.chests[1].insert{name = 'coal', count = 1}")
    log = _run_until_changed(engine, tmp_path, chest)
    assert engine.mod_errors == []
    removed = _removals(log)
    assert ghost in removed, log
    assert built != ghost and (removed[ghost]["event"], removed[ghost]["name"]) == ("sampled", "entity-ghost")
    assert built not in removed


def test_an_entity_removed_by_its_event_is_not_sent_again_by_the_sampler(engine, tmp_path):
    """Only entities gone without an event are the sampler's to report: a mined chest is removed once."""
    _start(engine)
    mined, kept = _chests(engine, [3.5, 5.5])
    _sc(engine, "storage.chests[1].destroy{raise_destroy = true}")
    _sc(engine, "storage.chests[2].insert{name = 'stone', count = 2}")
    log = _run_until_changed(engine, tmp_path, kept)
    engine.run_ticks(60)
    log = _log(tmp_path)
    assert [r["event"] for r in log if r["type"] == "entity_removed"] == ["script_raised_destroy"]
    assert _removals(log)[mined]["unit_number"] == mined
