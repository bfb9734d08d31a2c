"""Cost of electric networks: per network solution and per change, and that idle powered consumers cost nothing.

Builds N inserters (each an electric consumer) on one network fed by an electric energy interface, then measures:
  * the wall time of a tick with nothing changing (should not grow with N),
  * the cost of one change (the interface's power_production set by script: one solution and, when satisfaction
    changes, one wake-up per working consumer),
  * the cost of a solution alone (ElectricGrid.changed on a network whose satisfaction stays).

Run: .venv/bin/python benchmarks/electric_network.py
"""

from __future__ import annotations

import time

from factoryverse.engine.engine import Engine
from factoryverse.engine.mechanics.electric_solver import solve


def build(n: int) -> tuple[Engine, object]:
    game = Engine(seed=1, mods=[], starting_chunks=4)
    side = int(n ** 0.5) + 1
    game.execute_command(
        "/sc local s = game.surfaces.nauvis s.create_global_electric_network() "
        "storage.i = s.create_entity{name = 'electric-energy-interface', position = {-100, -100}, force = 'player'} "
        f"local k = 0 for x = 0, {side - 1} do for y = 0, {side - 1} do if k < {n} then "
        "s.create_entity{name = 'inserter', position = {x * 2 - 60.5, y * 2 - 60.5}, force = 'player'} k = k + 1 end end end"
    )
    game.run_ticks(10)
    net = next(iter(game.world.electric.networks.values()))
    return game, net


def main() -> None:
    print(f"{'consumers':>10} {'idle tick µs':>14} {'solve µs':>10} {'change µs':>10}")
    for n in (100, 1000, 4000):
        game, net = build(n)
        t = time.perf_counter()
        game.run_ticks(1000)
        idle = (time.perf_counter() - t) / 1000 * 1e6
        grid = game.world.electric
        t = time.perf_counter()
        for _ in range(1000):
            solve(grid, net, game.world.tick)
        per_solve = (time.perf_counter() - t) / 1000 * 1e6
        t = time.perf_counter()
        for k in range(200):
            game.execute_command(f"/sc storage.i.power_production = {1e6 + k}")
        per_change = (time.perf_counter() - t) / 200 * 1e6
        print(f"{n:>10} {idle:>14.1f} {per_solve:>10.1f} {per_change:>10.1f}")


if __name__ == "__main__":
    main()
