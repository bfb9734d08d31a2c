"""The scheduler: entries run in (tick, order scheduled) order, rescheduling replaces an entity's earlier entry,
and a destroyed entity's entries never run."""

from __future__ import annotations

from factoryverse.engine.mechanics.scheduler import Scheduler


class _Thing:
    """The scheduler's view of an entity: `due`, `gen`, `valid`."""

    def __init__(self, name: str):
        self.name, self.due, self.gen, self.valid = name, None, 0, True


def _run(s: Scheduler, tick: int) -> list[str]:
    ran: list[str] = []
    s.run_due(tick, lambda e, t: ran.append(f"{e.name}@{t}"))
    return ran


def test_entries_run_in_tick_then_scheduling_order():
    s = Scheduler()
    a, b, c = _Thing("a"), _Thing("b"), _Thing("c")
    s.schedule(b, 5)
    s.schedule(a, 3)
    s.schedule(c, 5)
    assert _run(s, 4) == ["a@4"]  # due at 3, run at the first run_due at or after it
    assert (a.due, b.due) == (None, 5)
    assert _run(s, 5) == ["b@5", "c@5"]
    assert len(s) == 0


def test_rescheduling_replaces_the_earlier_entry():
    s = Scheduler()
    a = _Thing("a")
    s.schedule(a, 10)
    s.schedule(a, 2)
    assert s.pending() == [(2, a)]
    assert _run(s, 10) == ["a@10"]  # once, not twice
    s.schedule(a, 20)
    s.cancel(a)
    assert a.due is None and s.pending() == []
    assert _run(s, 30) == []


def test_destroyed_entities_never_run_and_entries_added_while_running_run_in_the_same_pass():
    s = Scheduler()
    a, b = _Thing("a"), _Thing("b")
    s.schedule(a, 1)
    s.schedule(b, 1)
    b.valid = False
    ran: list[str] = []

    def update(e, t):
        ran.append(e.name)
        if e.name == "a" and len(ran) == 1:
            s.schedule(e, t)  # due again this very tick: runs in this pass, after what was already due

    s.run_due(1, update)
    assert ran == ["a", "a"]
