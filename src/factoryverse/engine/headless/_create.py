"""`--create FILE`: make a new map (the mods' on_init run), save it to FILE and exit, as the game does."""

from __future__ import annotations

from factoryverse.engine.engine import Engine
from factoryverse.engine.headless._log import ServerLog
from factoryverse.engine.headless._plan import Plan
from factoryverse.engine.headless._saves import write_game

__all__ = ["create_map"]


def create_map(plan: Plan, log: ServerLog) -> int:
    assert plan.save is not None
    log.info("Main.cpp", f"Creating new map {plan.save} (seed {plan.seed})")
    engine = Engine(plan.seed, mods_dir=plan.mods_dir, mods=plan.mods.enabled,
                    script_output=plan.write_data.script_output, factorio_version=plan.version.name)
    try:
        for mod in engine.mods:
            log.line(f"Loading mod {mod.name} {mod.info.version} (control.lua)")
        log.info("MainLoop.cpp", f"Saving map as {plan.save}")
        size = write_game(engine, plan.save)
        log.info("MainLoop.cpp", f"Saving finished: {size} bytes at tick {engine.tick}")
    finally:
        engine.close()
    return 0
