"""Labs and research: the first red-science technology finishes on the tick its prototype data gives, labs share a
research, wrong packs don't progress, triggers research, bonuses apply, and a save, load or fork continues a
research mid-unit exactly."""

from __future__ import annotations

import math
from pathlib import Path

from factoryverse.engine.engine import Engine
from factoryverse.engine.state_hash import state_hash

from .conftest import clear_land, lua, ticks_of_changes

_PREREQS = ("local f = game.forces.player "
            "for _, n in pairs{'steam-power', 'electronics', 'automation-science-pack'} do f.technologies[n].researched = true end ")


def _labs(engine: Engine, positions: list[tuple[float, float]], packs: dict[str, int]) -> None:
    """Labs at `positions`, powered by an electric energy interface through a small pole, each given `packs`."""
    clear_land(engine, -12, -12, 12, 12)
    lua(engine, "storage.labs = {} "
        "s.create_entity{name = 'electric-energy-interface', position = {-8, -4}, force = 'player'} "
        "for x = -9, 9, 5 do s.create_entity{name = 'small-electric-pole', position = {x + 0.5, -1.5}, force = 'player'} end")
    for x, y in positions:
        inserts = " ".join(f"l.insert{{name = '{n}', count = {c}}}" for n, c in packs.items())
        lua(engine, f"local l = s.create_entity{{name = 'lab', position = {{{x}, {y}}}, force = 'player'}} {inserts} "
            "table.insert(storage.labs, l)")


def _count(engine: Engine, i: int = 1) -> int:
    return int(lua(engine, f"rcon.print(storage.labs[{i}].get_item_count())"))


def _researched(engine: Engine, name: str) -> bool:
    return lua(engine, f"rcon.print(game.forces.player.technologies['{name}'].researched)") == "true"


def _finish_log(engine: Engine) -> None:
    lua(engine, "storage.finished = {} script.on_event(defines.events.on_research_finished, function(e) "
        "table.insert(storage.finished, e.research.name .. '@' .. e.tick .. ':' .. tostring(e.by_script)) end)")


def test_automation_finishes_on_the_games_tick(engine: Engine, protos) -> None:
    tech = protos.technologies["automation"]  # unit.count, unit.time, unit.ingredients
    lab = protos.raw["lab"]["lab"]  # researching_speed
    pack = protos.items["automation-science-pack"]  # durability
    count, seconds = tech["unit"]["count"], tech["unit"]["time"]
    ticks_per_unit = seconds * 60 / lab["researching_speed"]
    packs_per_unit = tech["unit"]["ingredients"][0][1] / pack.get("durability", 1)
    assert (count, ticks_per_unit, packs_per_unit) == (10, 600, 1)
    lua(engine, _PREREQS + "f.add_research('automation')")
    _finish_log(engine)
    _labs(engine, [(0.5, 0.5)], {"automation-science-pack": count})
    t0 = engine.tick  # the lab starts with the tick its packs arrived in
    # A pack in use stays in the slot until used up: the k-th leaves during tick t0 + k * 600 - 1.
    changes = ticks_of_changes(engine, lambda: _count(engine), count, count * 600 + 10)
    assert changes == [t0 + k * 600 for k in range(1, count + 1)]  # (ticks_of_changes reports the tick after)
    assert lua(engine, "rcon.print(table.concat(storage.finished, ' '))") == f"automation@{t0 + count * 600 - 1}:false"
    assert _researched(engine, "automation")
    assert lua(engine, "rcon.print(game.forces.player.recipes['assembling-machine-1'].enabled)") == "true"
    # 100 game seconds: packs per second = researching_speed / unit.time, within 1%.
    rate = count / ((changes[-1] - t0) / 60)
    assert math.isclose(rate, lab["researching_speed"] / seconds, rel_tol=0.01)
    engine.step()  # the lab looks for the next research on the next tick
    assert lua(engine, "rcon.print(storage.labs[1].status == defines.entity_status.no_research_in_progress)") == "true"


def test_labs_share_the_research_and_sleep_between_packs(engine: Engine, protos) -> None:
    count = protos.technologies["automation"]["unit"]["count"]
    lua(engine, _PREREQS + "f.add_research('automation')")
    _finish_log(engine)
    _labs(engine, [(0.5, 0.5), (4.5, 0.5)], {"automation-science-pack": count})
    t0 = engine.tick
    updates = engine.world.entity_updates
    engine.run_ticks(count * 600 // 2 + 5)
    assert lua(engine, "rcon.print(table.concat(storage.finished, ' '))") == f"automation@{t0 + count * 600 // 2 - 1}:false"
    assert _count(engine, 1) == _count(engine, 2) == count // 2
    # Each lab updates once per pack (and the last tick), not per tick: the run cost grows with what is consumed.
    assert engine.world.entity_updates - updates <= 2 * (count // 2 + 2)


def test_wrong_packs_do_not_progress_and_the_right_ones_start_it(engine: Engine, protos) -> None:
    lua(engine, _PREREQS + "f.add_research('automation')")
    _labs(engine, [(0.5, 0.5)], {"logistic-science-pack": 5})
    engine.run_ticks(600)
    assert lua(engine, "rcon.print(storage.labs[1].status == defines.entity_status.missing_science_packs)") == "true"
    assert lua(engine, "rcon.print(game.forces.player.research_progress)") == "0"
    updates = engine.world.entity_updates
    engine.run_ticks(600)
    assert engine.world.entity_updates == updates  # asleep, not polling
    lua(engine, "storage.labs[1].insert{name = 'automation-science-pack', count = 1}")
    engine.run_ticks(300)
    assert float(lua(engine, "rcon.print(game.forces.player.research_progress)")) == 300 / 600 / 10
    assert _count(engine) == 6  # the pack in use stays until used up; the green ones stay too


def test_no_research_then_research_wakes_the_labs(engine: Engine) -> None:
    _labs(engine, [(0.5, 0.5)], {"automation-science-pack": 2})
    engine.run_ticks(10)
    assert lua(engine, "rcon.print(storage.labs[1].status == defines.entity_status.no_research_in_progress)") == "true"
    lua(engine, _PREREQS + "f.add_research('automation')")
    t0 = engine.tick
    engine.run_ticks(120)
    assert float(lua(engine, "rcon.print(game.forces.player.research_progress)")) == 120 / 600 / 10
    assert lua(engine, "rcon.print(storage.labs[1].status == defines.entity_status.working)") == "true"
    assert t0 == 10


def test_craft_item_trigger_researches_steam_power(engine: Engine, protos) -> None:
    trigger = protos.technologies["steam-power"]["research_trigger"]  # craft-item iron-plate, count 50
    assert (trigger["type"], trigger["item"], trigger["count"]) == ("craft-item", "iron-plate", 50)
    clear_land(engine, -4, -4, 4, 4)
    _finish_log(engine)
    lua(engine, "storage.f = s.create_entity{name = 'stone-furnace', position = {0, 0}, force = 'player'} "
        "storage.f.insert{name = 'coal', count = 50} storage.f.insert{name = 'iron-ore', count = 50} "
        "storage.f.get_output_inventory().insert{name = 'iron-plate', count = 1} storage.f.get_output_inventory().clear()")
    made = lambda: int(lua(engine, "rcon.print(storage.f.products_finished)"))  # noqa: E731
    while made() < trigger["count"] - 1:
        engine.run_ticks(60)
    assert not _researched(engine, "steam-power")
    ticks = ticks_of_changes(engine, made, 1, 400)
    assert _researched(engine, "steam-power")
    assert lua(engine, "rcon.print(table.concat(storage.finished, ' '))") == f"steam-power@{ticks[0] - 1}:false"
    assert lua(engine, "rcon.print(game.forces.player.recipes['steam-engine'].enabled)") == "true"


def test_mining_productivity_gives_an_extra_product_when_the_bar_fills(engine: Engine, protos) -> None:
    bonus = protos.technologies["mining-productivity-1"]["effects"][0]  # mining-drill-productivity-bonus 0.1
    assert (bonus["type"], bonus["modifier"]) == ("mining-drill-productivity-bonus", 0.1)
    clear_land(engine, -6, -6, 6, 6)
    lua(engine, "game.forces.player.technologies['mining-productivity-1'].researched = true "
        "for x = -1, 0 do for y = -1, 0 do s.create_entity{name = 'iron-ore', position = {x + 0.5, y + 0.5}, amount = 500} end end "
        "local d = s.create_entity{name = 'burner-mining-drill', position = {0, 0}, direction = defines.direction.south, force = 'player'} "
        "d.insert{name = 'coal', count = 20} "
        "storage.chest = s.create_entity{name = 'wooden-chest', position = d.drop_position, force = 'player'}")
    counts = []
    ticks_of_changes(engine, lambda: counts.append(int(lua(engine, "rcon.print(storage.chest.get_item_count())"))) or counts[-1],
                     10, 11 * 240 + 100)
    seen = sorted(set(counts))
    # 1 / 0.1 cycles fill the bar: the tenth cycle gives its ore twice.
    assert seen[:10] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] and seen[10] == 11


def test_save_load_and_fork_continue_research_mid_unit(tmp_path: Path) -> None:
    game = Engine(seed=1, mods=[], starting_chunks=2)
    lua(game, _PREREQS + "f.add_research('automation') f.add_research('logistics')")
    _labs(game, [(0.5, 0.5), (4.5, 0.5)], {"automation-science-pack": 20})
    game.run_ticks(1234)  # mid-unit in both labs
    loaded = Engine.load(game.save(tmp_path, "research"), mods=[])
    fork = game.fork()
    assert state_hash(loaded) == state_hash(game) == state_hash(fork)
    for _ in range(4):
        for g in (game, loaded, fork):
            g.run_ticks(1500)
        assert state_hash(loaded) == state_hash(game) == state_hash(fork)
    for g in (game, loaded, fork):
        assert lua(g, "rcon.print(game.forces.player.current_research.name)") == "logistics"


def test_mine_entity_trigger_waits_for_the_fluid_its_ore_needs(engine: Engine, protos) -> None:
    """uranium-processing's trigger is mine-entity uranium-ore, whose minable.required_fluid (sulfuric acid) the
    engine's drills do not model: a drill without it waits (missing_required_fluid), mines nothing and triggers
    nothing, as in the game without acid."""
    trigger = protos.technologies["uranium-processing"]["research_trigger"]
    assert (trigger["type"], trigger["entity"]) == ("mine-entity", "uranium-ore")
    assert protos.raw["resource"]["uranium-ore"]["minable"]["required_fluid"] == "sulfuric-acid"
    clear_land(engine, -6, -6, 6, 6)
    lua(engine, "game.forces.player.technologies['uranium-mining'].researched = true "
        "for x = -1, 0 do for y = -1, 0 do s.create_entity{name = 'uranium-ore', position = {x + 0.5, y + 0.5}, amount = 500} end end "
        "storage.d = s.create_entity{name = 'electric-mining-drill', position = {0, 0}, force = 'player'}")
    engine.run_ticks(600)
    assert lua(engine, "rcon.print(storage.d.status == defines.entity_status.missing_required_fluid)") == "true"
    assert lua(engine, "rcon.print(s.find_entities_filtered{name = 'uranium-ore'}[1].amount)") == "500"
    assert not _researched(engine, "uranium-processing")
