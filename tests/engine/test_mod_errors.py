"""A handler failing on every tick: `engine.mod_errors` stays bounded and the log gets the error once, then a
summary per period instead of a line per failure."""

from __future__ import annotations

import logging

from factoryverse.engine.engine import MAX_LOG_LINE, Engine
from factoryverse.engine.mod_errors import KEPT_ERRORS, ModErrors

from .lua.modkit import write_mod

_FAILING = """script.on_event(defines.events.on_tick, function(e) error("broken at tick " .. e.tick) end)"""


def test_a_handler_failing_every_tick_is_kept_bounded_and_summarised(tmp_path, caplog):
    """Regression: mod_errors grew without bound and every failure was logged (8 lines a second seen)."""
    write_mod(tmp_path, "failing", {"control.lua": _FAILING})
    engine = Engine(seed=1, mods_dir=tmp_path, starting_chunks=1)
    engine.mod_error_log.summary_ticks = 100
    with caplog.at_level(logging.INFO, logger="factoryverse.engine"):
        engine.run_ticks(250)
    assert engine.mod_error_log.total == 250
    assert len(engine.mod_errors) == KEPT_ERRORS
    assert "broken at tick 249" in engine.mod_errors[-1]  # the newest are the ones kept
    logged = [line for line in engine.log_lines if "failing while running event on_tick" in line]
    assert len(logged) == 3
    assert "broken at tick 0" in logged[0]
    assert logged[1] == (
        "Error in failing while running event on_tick repeated 99 more times in the last 100 ticks "
        "(last: Error in failing while running event on_tick: __failing__/control.lua:1: broken at tick 99)"
    )
    assert logged[2].startswith("Error in failing while running event on_tick repeated 100 more times")
    assert len([r for r in caplog.records if "failing while running" in r.getMessage()]) == 3


def test_a_failure_that_stopped_and_came_back_is_logged_in_full_again():
    errors = ModErrors(summary_ticks=10)
    assert errors.record("m", "on_tick", "boom 1")
    assert not errors.record("m", "on_tick", "boom 2")
    assert errors.summarise() == ["Error in m while running on_tick repeated 1 more times in the last 10 ticks (last: boom 2)"]
    assert errors.summarise() == []  # a quiet period: forgotten
    assert errors.record("m", "on_tick", "boom 3")
    assert errors.record("m", "on_nth_tick(5)", "boom 4")  # another handler is its own failure


def test_a_huge_chat_line_is_logged_truncated(caplog):
    """Regression: an RCON body of up to 4 MiB was logged in full (console chat goes to the log)."""
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    body = "x" * (4 * 1024 * 1024)
    with caplog.at_level(logging.INFO, logger="factoryverse.engine"):
        assert engine.execute_command(body) == ""
    line = engine.log_lines[-1]
    assert line.startswith("[CHAT] <server>: xxx")
    assert len(line) < MAX_LOG_LINE + 100
    assert line.endswith(f"... ({len('[CHAT] <server>: ') + len(body) - MAX_LOG_LINE} more characters)")
    assert max(len(r.getMessage()) for r in caplog.records) < MAX_LOG_LINE + 100
