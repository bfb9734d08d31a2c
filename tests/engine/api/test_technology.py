"""LuaTechnology, LuaTechnologyPrototype and LuaForce's research members: values from the prototype data, the
queue's rules, the events the game raises, and bad input."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.prototypes import load_prototypes

from ..mechanics.conftest import lua

_P = ("function P(...) local t = {} for i = 1, select('#', ...) do t[i] = tostring((select(i, ...))) end "
      "rcon.print(table.concat(t, '\\n')) end")
_PREREQS = "for _, n in pairs{'steam-power', 'electronics', 'automation-science-pack'} do f.technologies[n].researched = true end "


@pytest.fixture
def engine() -> Engine:
    e = new()
    lua(e, "storage.events = {} local function log(e) local r = e.research "
        "if type(r) == 'table' and r.object_name then r = r.name elseif type(r) == 'table' then r = serpent.line(r) end "
        "table.insert(storage.events, e.name .. ':' .. tostring(r)) end "
        "for _, ev in pairs{'on_research_started', 'on_research_finished', 'on_research_cancelled', 'on_research_queued', "
        "'on_research_reversed'} do script.on_event(defines.events[ev], log) end")
    return e


def new() -> Engine:
    e = Engine(seed=1, mods=[], starting_chunks=1)
    lua(e, _P)
    return e


def events(engine: Engine) -> list[str]:
    names = {v: k for k, v in engine.events.ids.items()}
    out = lua(engine, "for _, e in ipairs(storage.events) do rcon.print(e) end storage.events = {}")
    return [f"{names[int(line.split(':')[0])]}:{line.split(':', 1)[1]}" for line in out.splitlines() if line]


def test_technology_values_come_from_the_prototype() -> None:
    protos = load_prototypes()
    e = new()
    auto = protos.technologies["automation"]  # unit.count, unit.time, unit.ingredients, prerequisites, effects
    out = lua(e, "local t = game.forces.player.technologies.automation "
              "P(t.name, t.research_unit_count, t.research_unit_energy, serpent.line(t.research_unit_ingredients), "
              "t.researched, t.enabled, t.level, t.upgrade, t.prototype.name, t.prototype.object_name, t.force.name) "
              "for n in pairs(t.prerequisites) do P('pre ' .. n) end "
              "for n in pairs(t.successors) do P('succ ' .. n) end")
    lines = out.splitlines()
    assert lines[0] == "automation"
    assert int(lines[1]) == auto["unit"]["count"]
    assert float(lines[2]) == auto["unit"]["time"] * 60  # research_unit_energy in ticks of a speed-1 lab
    assert lines[3] == "{{amount = 1, name = \"automation-science-pack\"}}"
    assert lines[4:11] == ["false", "true", "1", "false", "automation", "LuaTechnologyPrototype", "player"]
    assert [l[4:] for l in lines if l.startswith("pre ")] == auto["prerequisites"]
    successors = sorted(n for n, t in protos.technologies.items() if "automation" in (t.get("prerequisites") or ()))
    assert [l[5:] for l in lines if l.startswith("succ ")] == successors


def test_infinite_technology_counts_from_its_formula() -> None:
    protos = load_prototypes()
    tech = protos.technologies["mining-productivity-4"]  # unit.count_formula "2500*(L - 3)", max_level infinite
    assert tech["unit"]["count_formula"] == "2500*(L - 3)" and tech["max_level"] == "infinite"
    e = new()
    out = lua(e, "local t = game.forces.player.technologies['mining-productivity-4'] "
              "P(t.level, t.research_unit_count, t.research_unit_count_formula) "
              "t.researched = true P(t.level, t.research_unit_count, t.researched, "
              "game.forces.player.mining_drill_productivity_bonus)")
    bonus = tech["effects"][0]["modifier"]  # mining-drill-productivity-bonus
    assert out.splitlines() == ["4", "2500", "2500*(L - 3)", "5", "5000", "false", str(bonus)]


def test_queue_start_finish_and_events(engine: Engine) -> None:
    assert lua(engine, "P(game.forces.player.add_research('automation'))") == "false"  # prerequisites missing
    assert events(engine) == []
    lua(engine, "local f = game.forces.player " + _PREREQS)
    assert events(engine) == [f"on_research_finished:{n}" for n in ("steam-power", "electronics", "automation-science-pack")]
    out = lua(engine, "local f = game.forces.player P(f.add_research('automation'), f.add_research('logistics'), "
              "f.add_research('automation'), f.current_research.name, #f.research_queue, f.research_queue[2].name)")
    assert out.splitlines() == ["true", "true", "false", "automation", "2", "logistics"]
    assert events(engine) == ["on_research_queued:automation", "on_research_started:automation", "on_research_queued:logistics"]
    lua(engine, "game.forces.player.research_progress = 0.5")
    lua(engine, "game.forces.player.cancel_current_research()")
    assert events(engine) == ['on_research_cancelled:{automation = 1}', "on_research_started:logistics"]
    out = lua(engine, "local f = game.forces.player P(f.current_research.name, f.technologies.automation.saved_progress, "
              "f.research_progress)")
    assert out.splitlines() == ["logistics", "0.5", "0"]
    # Researched by script: it leaves the queue, and its recipes unlock.
    out = lua(engine, "local f = game.forces.player f.technologies.logistics.researched = true "
              "P(f.current_research, f.recipes['splitter'].enabled, f.recipes['assembling-machine-1'].enabled)")
    assert out.splitlines() == ["nil", "true", "false"]
    assert events(engine) == ["on_research_finished:logistics"]


def test_cancel_drops_queued_dependents_and_queue_write_drops_what_cannot_be_researched(engine: Engine) -> None:
    lua(engine, "local f = game.forces.player " + _PREREQS)
    events(engine)
    # automation-2 needs automation, steel-processing and logistic-science-pack (its prototype's prerequisites).
    out = lua(engine, "local f = game.forces.player "
              "f.research_queue = {'automation', 'automation-2', 'logistic-science-pack', 'steel-processing', "
              "'automation-2', 'logistics', 'automation', 'steam-power'} "
              "local q = {} for _, t in ipairs(f.research_queue) do q[#q + 1] = t.name end P(table.concat(q, ' '))")
    # automation-2 before its prerequisites, a duplicate and a researched one are dropped.
    assert out == "automation logistic-science-pack steel-processing automation-2 logistics"
    events(engine)
    lua(engine, "game.forces.player.cancel_current_research()")
    assert events(engine) == ['on_research_cancelled:{automation = 1, ["automation-2"] = 1}',
                              "on_research_started:logistic-science-pack"]
    lua(engine, "game.forces.player.research_queue = {}")
    assert lua(engine, "P(game.forces.player.current_research)") == "nil"


def test_bad_input(engine: Engine) -> None:
    def error(code: str) -> str:
        reply = engine.execute_command("/sc " + code)
        assert reply.startswith("Cannot execute command"), reply
        return reply

    assert "Unknown technology name: nope" in error("game.forces.player.add_research('nope')")
    assert "expected TechnologyID" in error("game.forces.player.add_research(12)")
    assert "no research in progress" in error("game.forces.player.research_progress = 0.5")
    assert "[0, 1]" in error("game.forces.player.research_progress = 2")
    assert "expected boolean" in error("game.forces.player.technologies.automation.researched = 1")
    assert "LuaCustomTable is read only" in error("game.forces.player.technologies.foo = 1")
    assert lua(engine, "P(game.forces.player.technologies.nope)") == "nil"
    # A trigger technology is never queued: it is researched when its trigger happens.
    assert lua(engine, "P(game.forces.player.add_research('steam-power'))") == "false"
    assert lua(engine, "P(#game.forces.player.research_queue)") == "0"


def test_effects_apply_and_reverse(engine: Engine) -> None:
    protos = load_prototypes()
    tech = protos.technologies["inserter-capacity-bonus-1"]  # effects: bulk-inserter-capacity-bonus modifier
    bonus = next(e["modifier"] for e in tech["effects"] if e["type"] == "bulk-inserter-capacity-bonus")
    out = lua(engine, "local f = game.forces.player local t = f.technologies['inserter-capacity-bonus-1'] "
              "t.researched = true P(f.bulk_inserter_capacity_bonus) "
              "t.researched = false P(f.bulk_inserter_capacity_bonus, t.researched)")
    assert out.splitlines() == [str(bonus), "0", "false"]
    speed = protos.technologies["research-speed-1"]["effects"][0]["modifier"]  # laboratory-speed
    out = lua(engine, "local f = game.forces.player f.technologies['research-speed-1'].researched = true "
              "f.laboratory_speed_modifier = f.laboratory_speed_modifier + 1 P(f.laboratory_speed_modifier) "
              "f.reset_technology_effects() P(f.laboratory_speed_modifier)")
    assert [float(x) for x in out.splitlines()] == [pytest.approx(speed + 1), pytest.approx(speed)]


def test_research_all_technologies(engine: Engine) -> None:
    protos = load_prototypes()
    out = lua(engine, "local f = game.forces.player f.research_all_technologies() local n = 0 "
              "for _, t in pairs(f.technologies) do if t.researched then n = n + 1 end end "
              "P(n, f.recipes['assembling-machine-3'].enabled, f.inserter_stack_size_bonus)")
    finite = [n for n, t in protos.technologies.items() if t.get("max_level") != "infinite"]
    stack = sum(e["modifier"] for t in protos.technologies.values() if t.get("max_level") != "infinite"
                for e in t.get("effects") or () if e["type"] == "inserter-stack-size-bonus")
    assert out.splitlines() == [str(len(finite)), "true", str(int(stack))]


def test_technology_prototypes() -> None:
    protos = load_prototypes()
    e = new()
    out = lua(e, "local p = prototypes.technology['steam-power'] "
              "P(p.name, p.type, serpent.line(p.research_trigger), p.research_unit_count, p.max_level, "
              "prototypes.technology['mining-productivity-4'].max_level, #p.effects, prototypes.technology.nope)")
    trigger = protos.technologies["steam-power"]["research_trigger"]  # craft-item iron-plate count 50
    assert out.splitlines()[:2] == ["steam-power", "technology"]
    assert out.splitlines()[2] == f'{{count = {trigger["count"]}, item = "{trigger["item"]}", type = "craft-item"}}'
    assert out.splitlines()[3:] == ["0", "1", "4294967295", str(len(protos.technologies["steam-power"]["effects"])), "nil"]


def test_technology_prototype_base_fields_come_from_the_data() -> None:
    data = load_prototypes().technologies["automation"]
    e = new()
    out = lua(e, "local p = prototypes.technology['automation'] "
              "P(p.order, p.hidden, p.hidden_in_factoriopedia, p.parameter, p.allows_productivity)")
    assert out.splitlines() == [str(data.get("order", "")), str(bool(data.get("hidden", False))).lower(),
                                str(bool(data.get("hidden", False))).lower(), "false",
                                str(bool(data.get("allows_productivity", True))).lower()]
