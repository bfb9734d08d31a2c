"""LuaSurface.request_to_generate_chunks only queues, as in the game; chunks appear over the following ticks, and
force_generate_chunk_requests generates the queue at once, stopped between chunks by the wall-clock watchdog."""

from __future__ import annotations

import time

from factoryverse.engine.engine import CHUNKS_PER_TICK, Engine
from factoryverse.engine.world.surface import MAX_REQUESTED_CHUNKS

_GENEROUS = 5.0


def sc(engine: Engine, code: str) -> str:
    return engine.execute_command("/sc " + code)


def generated(engine: Engine) -> int:
    return len(engine.world.surfaces["nauvis"].chunks)


def test_a_large_request_returns_at_once_and_chunks_appear_over_later_ticks():
    """Regression: one request_to_generate_chunks call generated every chunk before returning (8 s for a large
    radius), freezing the game; the game itself only queues the request."""
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    start_chunks = generated(engine)
    started = time.monotonic()
    assert sc(engine, "game.surfaces.nauvis.request_to_generate_chunks({0, 0}, 20)") == ""
    assert time.monotonic() - started < _GENEROUS
    assert generated(engine) == start_chunks
    assert sc(engine, "rcon.print(game.surfaces.nauvis.is_chunk_generated({1, 1}))") == "false"
    engine.run_ticks(10)
    assert generated(engine) == start_chunks + 10 * CHUNKS_PER_TICK
    # Nearest first: the ring round the start area is done before anything farther out.
    assert sc(engine, "rcon.print(game.surfaces.nauvis.is_chunk_generated({1, 1}))") == "true"
    assert sc(engine, "rcon.print(game.surfaces.nauvis.is_chunk_generated({20, 20}))") == "false"


def test_requested_chunks_raise_on_chunk_generated_as_they_appear():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    engine.run_ticks(1)
    sc(engine, "storage.seen = 0 script.on_event(defines.events.on_chunk_generated, function() storage.seen = storage.seen + 1 end) "
               "game.surfaces.nauvis.request_to_generate_chunks({0, 0}, 2)")
    engine.run_ticks(30)
    assert sc(engine, "rcon.print(storage.seen)") == str(25 - 4)  # the 5x5 area less the 2x2 start
    assert engine.world.surfaces["nauvis"].requested == {}


def test_force_generate_chunk_requests_generates_the_queue_now():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    reply = sc(
        engine,
        "local s = game.surfaces.nauvis s.request_to_generate_chunks({64, 64}, 1) s.force_generate_chunk_requests() "
        "rcon.print(tostring(s.is_chunk_generated({1, 1})) .. ' ' .. tostring(s.is_chunk_generated({3, 3})))",
    )
    assert reply == "true true"
    assert engine.world.surfaces["nauvis"].requested == {}


def test_force_generate_chunk_requests_is_stopped_by_the_watchdog_and_the_rest_stays_queued():
    engine = Engine(seed=1, mods=[], starting_chunks=1, watchdog_seconds=0.3)
    surface = engine.world.surfaces["nauvis"]
    started = time.monotonic()
    reply = sc(engine, "local s = game.surfaces.nauvis s.request_to_generate_chunks({0, 0}, 40) s.force_generate_chunk_requests()")
    assert time.monotonic() - started < _GENEROUS
    assert "Wall-clock watchdog: command ran longer than 0.3 s" in reply
    left = len(surface.requested)
    assert 0 < left < 81 * 81
    # What was generated is generated (is_chunk_generated stays truthful); the rest comes over the next ticks.
    before = generated(engine)
    engine.run_ticks(3)
    assert generated(engine) == before + 3 * CHUNKS_PER_TICK
    assert len(surface.requested) == left - 3 * CHUNKS_PER_TICK


def test_a_request_beyond_the_queue_limit_is_refused_and_queues_nothing():
    engine = Engine(seed=1, mods=[], starting_chunks=1)
    reply = sc(engine, "game.surfaces.nauvis.request_to_generate_chunks({0, 0}, 100000)")
    assert "request_to_generate_chunks: radius 100000 would queue" in reply
    assert f"the engine queues at most {MAX_REQUESTED_CHUNKS}" in reply
    assert engine.world.surfaces["nauvis"].requested == {}
    assert "Invalid request_to_generate_chunks radius" in sc(engine, "game.surfaces.nauvis.request_to_generate_chunks({0, 0}, -1)")
