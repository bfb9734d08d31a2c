"""Engine updates per second (UPS) with burner mining drills at work, against the game's 60.

Scenarios, each on a fresh seeded map built through console Lua as a mod would build it:
  drill+furnace   one burner drill on the starting iron patch feeding a stone furnace (no mods loaded)
  100 drills      100 fuelled burner drills on an ore field, each filling a chest (no mods loaded)
  100 drills+mods the same with the repository's mods loaded, measured after their start-up work settles

Usage: python benchmarks/engine_ups.py [--ticks 3600]
Exit status is 1 when a scenario runs slower than real time (60 UPS).
"""

from __future__ import annotations

import argparse
import tempfile
import time

from factoryverse.engine.engine import TICKS_PER_SECOND, Engine

# Ticks run before timing: mods do their start-up work (first snapshots) in the first seconds of a game.
_WARMUP_TICKS = 600


def _lua(engine: Engine, code: str) -> str:
    reply = engine.execute_command("/sc local s = game.surfaces.nauvis " + code)
    if reply.startswith("Cannot execute command"):
        raise SystemExit(f"set-up failed: {reply}")
    return reply


def _drill_and_furnace(engine: Engine) -> None:
    patch = next(p for p in engine.world.surfaces["nauvis"].mapgen.starting_patches if p.name == "iron-ore")
    x, y = round(patch.x), round(patch.y)
    _lua(
        engine,
        f"local d = s.create_entity{{name = 'burner-mining-drill', position = {{{x}, {y}}}, force = 'player'}} "
        "d.insert{name = 'coal', count = 50} "
        f"local f = s.create_entity{{name = 'stone-furnace', position = {{{x}, {y - 2}}}, force = 'player'}} "
        "f.insert{name = 'coal', count = 50}",
    )


def _hundred_drills(engine: Engine) -> None:
    # 10 x 10 drills, 2 tiles apart across and 3 down (the row above each drill holds its chest).
    _lua(
        engine,
        "for i = 0, 9 do for j = 0, 9 do "
        "  local x, y = -40 + i * 2, -40 + j * 3 "
        "  for dx = -1, 0 do for dy = -1, 0 do "
        "    s.create_entity{name = 'iron-ore', position = {x + dx + 0.5, y + dy + 0.5}, amount = 100000} "
        "  end end "
        "  local d = s.create_entity{name = 'burner-mining-drill', position = {x, y}, force = 'player'} "
        "  d.insert{name = 'coal', count = 50} "
        "  s.create_entity{name = 'wooden-chest', position = d.drop_position, force = 'player'} "
        "end end",
    )


def _ups(engine: Engine, ticks: int) -> float:
    engine.run_ticks(_WARMUP_TICKS)
    start = time.perf_counter()
    engine.run_ticks(ticks)
    return ticks / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=3600)
    args = parser.parse_args()

    results: list[tuple[str, float]] = []
    results.append(("drill+furnace", _run(lambda: Engine(seed=1, mods=[]), _drill_and_furnace, args.ticks)))
    results.append(("100 drills", _run(lambda: Engine(seed=1, mods=[]), _hundred_drills, args.ticks)))
    with tempfile.TemporaryDirectory() as out:
        results.append(("100 drills+mods", _run(lambda: Engine(seed=1, script_output=out), _hundred_drills, args.ticks)))

    print(f"engine UPS over {args.ticks} ticks after {_WARMUP_TICKS} warm-up ticks (game: {TICKS_PER_SECOND} UPS)")
    ok = True
    for name, ups in results:
        ok = ok and ups >= TICKS_PER_SECOND
        print(f"  {name:16s} {ups:10.0f} UPS  = {ups / TICKS_PER_SECOND:7.1f}x real time")
    print(f"target: every scenario >= {TICKS_PER_SECOND} UPS -> {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def _run(make, build, ticks: int) -> float:
    engine = make()
    try:
        build(engine)
        ups = _ups(engine, ticks)
        # The drills really worked: every one delivered ore the whole time (a stalled drill would flatter the UPS).
        mined = _lua(
            engine,
            "local n = 0 for _, e in pairs(s.find_entities_filtered{type = {'container', 'furnace'}}) do "
            "n = n + e.get_item_count('iron-ore') + e.get_item_count('iron-plate') end rcon.print(n)",
        )
        drills = int(_lua(engine, "rcon.print(s.count_entities_filtered{name = 'burner-mining-drill'})"))
        drill = engine.prototypes.raw["mining-drill"]["burner-mining-drill"]
        period = engine.prototypes.raw["resource"]["iron-ore"]["minable"]["mining_time"] / drill["mining_speed"] * 60
        expected = drills * int(engine.tick // period)
        if int(mined) < expected - drills * 2:
            raise SystemExit(f"only {mined} ore delivered by {drills} drills, expected about {expected}")
        return ups
    finally:
        engine.close()


if __name__ == "__main__":
    raise SystemExit(main())
