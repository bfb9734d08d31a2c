"""LuaTechnology (a force's view of a technology), LuaTechnologyPrototype, and LuaForce's research members.

A LuaTechnology is a value naming (force, technology), as a LuaRecipe is: what it reads lives in the prototype data
and in the force's research state (mechanics/research.py), so it shows every change at once.
"""

from __future__ import annotations

import math
from typing import Any

from factoryverse.engine.api.prototypes import ProtoRef
from factoryverse.engine.api._custom_table import lazy_named_table
from factoryverse.engine.api.registry import api_class
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.mechanics import research as rm
from factoryverse.engine.mechanics.research import TechnologyRef

__all__ = ["TechnologyRef"]

Technology = api_class("LuaTechnology")
TechProto = api_class("LuaTechnologyPrototype")
Prototypes = api_class("LuaPrototypes")
Force = api_class("LuaForce")


def _world(state: Any) -> Any:
    return state.engine.world


def _rs(state: Any, force: Any) -> rm.ResearchState:
    return rm.research_of(_world(state), force)


def _proto(state: Any, name: str) -> dict[str, Any]:
    return state.engine.prototypes.technologies[name]


def _tech(state: Any, t: TechnologyRef) -> rm.TechState:
    return _rs(state, t.force).techs[t.name]


def _technology_name(state: Any, value: Any, method: str) -> str:
    """A TechnologyID (name, LuaTechnology or LuaTechnologyPrototype) -> a known technology's name."""
    name = value if isinstance(value, str) else getattr(value, "name", None)
    if getattr(value, "lua_class", None) not in (None, "LuaTechnology", "LuaTechnologyPrototype") or not isinstance(name, str):
        raise ScriptError(f"Invalid argument #1 (technology) to '{method}': expected TechnologyID, got {value!r}")
    if name not in state.engine.prototypes.technologies:
        raise ScriptError(f"Unknown technology name: {name}")
    return name


def _bool(value: Any, member: str) -> bool:
    if not isinstance(value, bool):
        raise ScriptError(f"{member}: expected boolean, got {value!r}")
    return value


def _ingredients(proto: dict[str, Any]) -> list[dict[str, Any]]:
    # ResearchIngredient: {name, amount}.
    return [{"name": n, "amount": a} for n, a in rm.unit_ingredients(proto)]


def _prototype_ref(state: Any, name: str) -> ProtoRef:
    """The LuaTechnologyPrototype of `name`, one object per prototype as for the other prototype classes."""
    handles = state.engine_prototypes
    key = ("technology", name)
    ref = handles._refs.get(key)
    if ref is None:
        ref = handles._refs[key] = ProtoRef("LuaTechnologyPrototype", "technology", name, _proto(state, name))
    return ref


def _successors(state: Any, name: str) -> list[str]:
    techs = state.engine.prototypes.technologies
    return [n for n in sorted(techs) if name in (techs[n].get("prerequisites") or ())]


# -- LuaTechnology --------------------------------------------------------------------------------------------

Technology.getter("name")(lambda state, t: t.name)
Technology.attributes("force")
Technology.getter("prototype")(lambda state, t: _prototype_ref(state, t.name))
Technology.getter("localised_name")(lambda state, t: _proto(state, t.name).get("localised_name") or [f"technology-name.{t.name}"])
Technology.getter("localised_description")(
    lambda state, t: _proto(state, t.name).get("localised_description") or [f"technology-description.{t.name}"])
Technology.getter("order")(lambda state, t: _proto(state, t.name).get("order", ""))
Technology.getter("upgrade")(lambda state, t: bool(_proto(state, t.name).get("upgrade", False)))
Technology.getter("enabled")(lambda state, t: _tech(state, t).enabled)
Technology.getter("visible_when_disabled")(lambda state, t: _tech(state, t).visible_when_disabled)
Technology.getter("researched")(lambda state, t: _tech(state, t).researched)
Technology.getter("level")(lambda state, t: _tech(state, t).level)
Technology.getter("research_unit_count")(lambda state, t: rm.unit_count(_proto(state, t.name), _tech(state, t).level))
Technology.getter("research_unit_energy")(lambda state, t: rm.unit_energy(_proto(state, t.name)))
Technology.getter("research_unit_ingredients")(lambda state, t: _ingredients(_proto(state, t.name)))
Technology.getter("research_unit_count_formula")(
    lambda state, t: (_proto(state, t.name).get("unit") or {}).get("count_formula"))
Technology.getter("prerequisites")(
    lambda state, t: {p: TechnologyRef(t.force, p) for p in _proto(state, t.name).get("prerequisites") or ()})
Technology.getter("successors")(lambda state, t: {s: TechnologyRef(t.force, s) for s in _successors(state, t.name)})


@Technology.setter("enabled")
def _set_enabled(state, t, value):
    _tech(state, t).enabled = _bool(value, "LuaTechnology::enabled")


@Technology.setter("visible_when_disabled")
def _set_visible(state, t, value):
    _tech(state, t).visible_when_disabled = _bool(value, "LuaTechnology::visible_when_disabled")


@Technology.setter("researched")
def _set_researched(state, t, value):
    rm.set_researched(_world(state), t.force, t.name, _bool(value, "LuaTechnology::researched"))


@Technology.getter("saved_progress")
def _saved_progress(state, t):
    rs = _rs(state, t.force)
    if rs.current == t.name:
        return _research_progress(state, t.force)
    return rs.techs[t.name].saved_progress


@Technology.setter("saved_progress")
def _set_saved_progress(state, t, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ScriptError(f"LuaTechnology::saved_progress must be a number in [0, 1), got {value!r}")
    rs = _rs(state, t.force)
    if rs.current == t.name:
        rm.set_progress(_world(state), t.force, float(value))
    else:
        rs.techs[t.name].saved_progress = float(value)


@Technology.method("reload")
def _reload(state, t):
    return None  # everything a LuaTechnology reads comes from the prototype data when read


@Technology.method("research_recursive")
def _research_recursive(state, t):
    world = _world(state)
    rs = _rs(state, t.force)

    def visit(name: str) -> None:
        for p in _proto(state, name).get("prerequisites") or ():
            if not rs.techs[p].researched:
                visit(p)
        if not rs.techs[name].researched:
            rm.set_researched(world, t.force, name, True)

    visit(t.name)


# -- LuaTechnologyPrototype -------------------------------------------------------------------------------------

for _key, _default in (("enabled", True), ("upgrade", False), ("essential", False),
                       ("visible_when_disabled", False), ("ignore_tech_cost_multiplier", False),
                       ("allows_productivity", True)):
    TechProto.getter(_key)(lambda state, ref, _k=_key, _d=_default: bool(ref.data.get(_k, _d)))
TechProto.getter("level")(lambda state, ref: rm.tech_level(ref.data))
TechProto.getter("max_level")(
    lambda state, ref: 4294967295 if ref.data.get("max_level") == "infinite" else int(ref.data.get("max_level") or rm.tech_level(ref.data)))
TechProto.getter("research_unit_count")(lambda state, ref: rm.unit_count(ref.data, rm.tech_level(ref.data)))
TechProto.getter("research_unit_energy")(lambda state, ref: rm.unit_energy(ref.data))
TechProto.getter("research_unit_ingredients")(lambda state, ref: _ingredients(ref.data))
TechProto.getter("research_unit_count_formula")(lambda state, ref: (ref.data.get("unit") or {}).get("count_formula"))
TechProto.getter("research_trigger")(lambda state, ref: ref.data.get("research_trigger"))
TechProto.getter("effects")(lambda state, ref: [dict(e) for e in ref.data.get("effects") or ()])
TechProto.getter("prerequisites")(
    lambda state, ref: {p: _prototype_ref(state, p) for p in ref.data.get("prerequisites") or ()})
TechProto.getter("successors")(lambda state, ref: {s: _prototype_ref(state, s) for s in _successors(state, ref.name)})


@Prototypes.getter("technology")
def _technologies_prototypes(state, handles):
    cache = state.__dict__.setdefault("_technology_prototype_table", {})
    table = cache.get("t")
    if table is None:
        techs = state.engine.prototypes.technologies

        table = cache["t"] = lazy_named_table(state, sorted(techs), lambda name: _prototype_ref(state, name))
    return table


# -- LuaForce -----------------------------------------------------------------------------------------------------


@Force.getter("technologies")
def _technologies(state, force):
    """A read-only table of the force's technologies by name (pairs in name order), one per state and force."""
    cache = state.__dict__.setdefault("_technology_tables", {})
    table = cache.get(force.oid)
    if table is None:
        techs = state.engine.prototypes.technologies

        table = cache[force.oid] = lazy_named_table(state, sorted(techs), lambda name: TechnologyRef(force, name))
    return table


@Force.getter("current_research")
def _current_research(state, force):
    name = _rs(state, force).current
    return None if name is None else TechnologyRef(force, name)


@Force.getter("previous_research")
def _previous_research(state, force):
    name = _rs(state, force).previous
    return None if name is None else TechnologyRef(force, name)


@Force.setter("previous_research")
def _set_previous_research(state, force, value):
    _rs(state, force).previous = None if value is None else _technology_name(state, value, "previous_research")


def _research_progress(state, force) -> float:
    rs = _rs(state, force)
    name = rs.current
    if name is None:
        return 0.0
    count = rm.unit_count(_proto(state, name), rs.techs[name].level)
    return min(1.0, rs.progress_at(_world(state).tick) / count) if count else 0.0


Force.getter("research_progress")(_research_progress)


@Force.setter("research_progress")
def _set_research_progress(state, force, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ScriptError(f"LuaForce::research_progress must be a number in [0, 1], got {value!r}")
    if _rs(state, force).current is None:
        raise ScriptError("LuaForce::research_progress: the force has no research in progress")
    rm.set_progress(_world(state), force, float(value))


@Force.getter("research_queue")
def _research_queue(state, force):
    return [TechnologyRef(force, n) for n in _rs(state, force).queue]


@Force.setter("research_queue")
def _set_research_queue(state, force, value):
    items = [] if value is None else (list(value.values()) if isinstance(value, dict) else list(value))
    rm.set_queue(_world(state), force, [_technology_name(state, v, "research_queue") for v in items])


@Force.getter("research_enabled")
def _research_enabled(state, force):
    return _rs(state, force).enabled


@Force.method("add_research")
def _add_research(state, force, technology):
    """Appends to the queue when it may be researched (its prerequisites researched or queued before it)."""
    name = _technology_name(state, technology, "add_research")
    world = _world(state)
    rs = _rs(state, force)
    if name in rs.queue or not rm.can_research(world, rs, name, rs.queue):
        return False
    rs.queue.append(name)
    _raise_queued(state, force, name)
    if len(rs.queue) == 1:
        rm.start_next(world, force)
    return True


def _raise_queued(state, force, name) -> None:
    state.engine.events.raise_event("on_research_queued", {"research": TechnologyRef(force, name), "force": force})


@Force.method("cancel_current_research")
def _cancel_current_research(state, force):
    rm.cancel_current(_world(state), force)


@Force.method("enable_research")
def _enable_research(state, force):
    rs = _rs(state, force)
    if not rs.enabled:
        rs.enabled = True
        rs.since = _world(state).now()
        rm.labs_changed(_world(state), force)


@Force.method("disable_research")
def _disable_research(state, force):
    rs = _rs(state, force)
    if rs.enabled:
        world = _world(state)
        rs.catch_up(world.now())
        rs.rate = 0.0
        rs.working.clear()
        rs.enabled = False
        rm.labs_changed(world, force)


@Force.method("research_all_technologies")
def _research_all_technologies(state, force, include_disabled_prototypes=None):
    """Every technology (enabled ones, unless include_disabled_prototypes) researched with its effects, without
    an event per technology."""
    world = _world(state)
    rs = _rs(state, force)
    techs = state.engine.prototypes.technologies
    for name, tech in rs.techs.items():
        if tech.researched or (not tech.enabled and not include_disabled_prototypes):
            continue
        if techs[name].get("max_level") == "infinite":
            continue  # never completes
        tech.researched = True
    rm.reset_effects(world, force)
    rm.drop_researched(world, force)


@Force.method("enable_all_technologies")
def _enable_all_technologies(state, force):
    for tech in _rs(state, force).techs.values():
        tech.enabled = True


@Force.method("reset_technologies")
def _reset_technologies(state, force):
    return None  # technologies are read from the prototypes when read; research, enabled and visibility stay


@Force.method("reset_technology_effects")
def _reset_technology_effects(state, force):
    rm.reset_effects(_world(state), force)
    state.engine.events.raise_event("on_technology_effects_reset", {"force": force})


# Research bonuses LuaForce reads and writes (the hand, inserter and chart ones are in api/surface.py).
_DOUBLES = (
    "laboratory_speed_modifier", "laboratory_productivity_bonus", "mining_drill_productivity_bonus",
    "worker_robots_speed_modifier", "worker_robots_battery_modifier", "worker_robots_storage_bonus",
    "train_braking_force_bonus", "artillery_range_modifier", "following_robots_lifetime_modifier",
    "character_running_speed_modifier", "character_health_bonus", "character_resource_reach_distance_bonus",
    "character_item_pickup_distance_bonus", "character_loot_pickup_distance_bonus", "beacon_distribution_modifier",
)
_UINTS = (
    "character_inventory_slots_bonus", "character_build_distance_bonus", "character_item_drop_distance_bonus",
    "character_reach_distance_bonus", "belt_stack_size_bonus",
)


def _bonus(member: str, integer: bool) -> None:
    from factoryverse.engine.api.members import load_members

    if not load_members().has("LuaForce", member):
        return
    Force.getter(member)(lambda state, f: int(f.modifier(member)) if integer else f.modifier(member))

    def write(state, f, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or (
                integer and (value != int(value) or value < 0)):
            raise ScriptError(f"LuaForce::{member} must be a {'non-negative integer' if integer else 'number'}, got {value!r}")
        f.modifiers[member] = int(value) if integer else float(value)
        if member.startswith("laboratory_"):
            rm.labs_changed(_world(state), f)  # working labs change speed from the next tick

    Force.setter(member)(write)


for _member in _DOUBLES:
    _bonus(_member, False)
for _member in _UINTS:
    _bonus(_member, True)


def _keyed(get: str, set_: str, prefix: str, what: str, known: str) -> None:
    def check(state, key) -> str:
        if not isinstance(key, str) or key not in state.engine.prototypes.raw.get(known, {}):
            raise ScriptError(f"Unknown {what}: {key!r}")
        return key

    Force.method(get)(lambda state, f, key: f.modifier(prefix + check(state, key)))

    def write(state, f, key, modifier):
        if isinstance(modifier, bool) or not isinstance(modifier, (int, float)) or not math.isfinite(modifier):
            raise ScriptError(f"{set_}: modifier must be a number, got {modifier!r}")
        f.modifiers[prefix + check(state, key)] = float(modifier)

    Force.method(set_)(write)


_keyed("get_ammo_damage_modifier", "set_ammo_damage_modifier", "ammo_damage:", "ammo category", "ammo-category")
_keyed("get_gun_speed_modifier", "set_gun_speed_modifier", "gun_speed:", "ammo category", "ammo-category")
