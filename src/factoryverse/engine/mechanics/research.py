"""Research: each force's technology tree, its research queue and progress, what researching gives, and the
triggers (2.0's `research_trigger`) that research a technology when something is crafted, mined or built.

A force's progress on its current research is linear in the tick between changes, as a machine's is: `progress`
research units as of the start of tick `since`, growing by `rate` per tick, the sum of what its working labs add
(kinds/lab.py). A lab tells the force when its own rate changes (`set_lab_rate`); the tick the research completes
is then known, and every working lab wakes no later than that tick, so the first of them to update finishes it.

What a force knows of research lives in `ResearchState` (force.research), made on first use from the prototype
data; a save pickles it with the force.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from factoryverse.engine.kinds.machine import ticks_to_complete
from factoryverse.engine.mechanics.energy import EPS

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.force import Force
    from factoryverse.engine.world.world import World

__all__ = [
    "TechnologyRef", "TechState", "ResearchState", "research_of", "unit_count", "unit_energy", "unit_ingredients", "tech_level",
    "is_trigger", "can_research", "start_next", "finish", "cancel_current", "set_researched", "set_queue",
    "set_progress", "drop_researched", "set_lab_rate", "labs_changed", "reset_effects", "crafted", "mined", "built", "mining_bonus",
    "MODIFIER_EFFECTS", "pack_durability",
]

# TechnologyModifier types that add to a LuaForce bonus, by the name LuaForce (and Force.modifiers) gives it.
MODIFIER_EFFECTS = {
    "inserter-stack-size-bonus": "inserter_stack_size_bonus",
    "bulk-inserter-capacity-bonus": "bulk_inserter_capacity_bonus",
    "belt-stack-size-bonus": "belt_stack_size_bonus",
    "laboratory-speed": "laboratory_speed_modifier",
    "laboratory-productivity": "laboratory_productivity_bonus",
    "mining-drill-productivity-bonus": "mining_drill_productivity_bonus",
    "character-mining-speed": "manual_mining_speed_modifier",
    "character-crafting-speed": "manual_crafting_speed_modifier",
    "worker-robot-speed": "worker_robots_speed_modifier",
    "worker-robot-storage": "worker_robots_storage_bonus",
    "worker-robot-battery": "worker_robots_battery_modifier",
    "follower-robot-lifetime": "following_robots_lifetime_modifier",
    "maximum-following-robots-count": "maximum_following_robot_count",
    "train-braking-force-bonus": "train_braking_force_bonus",
    "artillery-range": "artillery_range_modifier",
    "beacon-distribution": "beacon_distribution_modifier",
    "character-inventory-slots-bonus": "character_inventory_slots_bonus",
    "character-logistic-trash-slots": "character_trash_slot_count",
    "character-running-speed": "character_running_speed_modifier",
    "character-build-distance": "character_build_distance_bonus",
    "character-item-drop-distance": "character_item_drop_distance_bonus",
    "character-reach-distance": "character_reach_distance_bonus",
    "character-resource-reach-distance": "character_resource_reach_distance_bonus",
    "character-item-pickup-distance": "character_item_pickup_distance_bonus",
    "character-loot-pickup-distance": "character_loot_pickup_distance_bonus",
    "character-health-bonus": "character_health_bonus",
}
# Switches (cliff-deconstruction-enabled, mining-with-fluid, ...) are kept as 1.0 under their LuaForce name.
_FLAG_EFFECTS = {
    "cliff-deconstruction-enabled": "cliff_deconstruction_enabled",
    "create-ghost-on-entity-death": "create_ghost_on_entity_death",
    "character-logistic-requests": "character_logistic_requests",
    "vehicle-logistics": "vehicle_logistics",
    "mining-with-fluid": "mining_with_fluid",
    "unlock-circuit-network": "circuit_network_enabled",
    "unlock-logistic-network": "unlock_logistic_network",
}
# Per-category bonuses: Force.modifiers key prefix, and the effect field naming the category.
_KEYED_EFFECTS = {
    "ammo-damage": ("ammo_damage:", "ammo_category"),
    "gun-speed": ("gun_speed:", "ammo_category"),
    "turret-attack": ("turret_attack:", "turret_id"),
}
_HAND_SPEEDS = ("manual_mining_speed_modifier", "manual_crafting_speed_modifier")


class TechState:
    """One technology of one force: what LuaTechnology reads and writes."""

    __slots__ = ("researched", "enabled", "visible_when_disabled", "level", "saved_progress")

    def __init__(self, proto: dict[str, Any]):
        self.researched = False
        self.enabled = bool(proto.get("enabled", True))
        self.visible_when_disabled = bool(proto.get("visible_when_disabled", False))
        self.level = tech_level(proto)
        self.saved_progress = 0.0  # fraction of the research done when it was left


class ResearchState:
    """A force's technologies, queue (its first entry is the current research) and progress, its labs, and the
    counts its craft-item triggers have seen."""

    __slots__ = ("techs", "queue", "progress", "since", "rate", "labs", "working", "enabled", "previous", "crafted")

    def __init__(self, technologies: dict[str, dict[str, Any]]):
        self.techs: dict[str, TechState] = {name: TechState(technologies[name]) for name in sorted(technologies)}
        self.queue: list[str] = []
        self.progress = 0.0  # research units of the current research as of the start of tick `since`
        self.since = 0
        self.rate = 0.0
        self.labs: dict[int, Entity] = {}  # every lab of the force by unit_number, in the order they were built
        self.working: dict[int, float] = {}  # lab unit_number -> the units per tick it adds from `since` on
        self.enabled = True
        self.previous: str | None = None
        self.crafted: dict[str, int] = {}  # technology -> items its craft-item trigger has counted

    @property
    def current(self) -> str | None:
        return self.queue[0] if self.queue and self.enabled else None

    def progress_at(self, tick: int) -> float:
        return self.progress + self.rate * (tick - self.since) if self.rate and tick > self.since else self.progress

    def catch_up(self, tick: int) -> None:
        if tick > self.since:
            self.progress = self.progress_at(tick)
            self.since = tick


def research_of(world: World, force: Force) -> ResearchState:
    rs = getattr(force, "research", None)  # a force from a save older than research has none
    if rs is None:
        rs = force.research = ResearchState(world.protos.technologies)
    return rs


# -- the prototype data ---------------------------------------------------------------------------------------

_LEVEL = re.compile(r"-(\d+)$")


def tech_level(proto: dict[str, Any]) -> int:
    """A technology's first level: the number its name ends with ("mining-productivity-4"), else 1."""
    m = _LEVEL.search(proto["name"])
    return int(m.group(1)) if m else 1


def is_trigger(proto: dict[str, Any]) -> bool:
    return bool(proto.get("research_trigger")) and not proto.get("unit")


def max_level(proto: dict[str, Any]) -> float:
    value = proto.get("max_level")
    if value == "infinite":
        return math.inf
    return float(value) if value is not None else float(tech_level(proto))


def unit_count(proto: dict[str, Any], level: int) -> int:
    """Research units of the technology at `level`: unit.count, or unit.count_formula evaluated at L = level."""
    unit = proto.get("unit") or {}
    if "count_formula" in unit:
        return max(1, int(_formula(str(unit["count_formula"]), level)))
    return int(unit.get("count", 0))


def unit_energy(proto: dict[str, Any]) -> float:
    """`research_unit_energy`: ticks of a lab of speed 1 per unit (unit.time seconds x 60)."""
    return float((proto.get("unit") or {}).get("time", 0)) * 60.0


def unit_ingredients(proto: dict[str, Any]) -> list[tuple[str, int]]:
    """(pack, amount) per unit; the data gives [name, amount] pairs or {name=, amount=} tables."""
    out = []
    for i in (proto.get("unit") or {}).get("ingredients") or []:
        if isinstance(i, dict):
            out.append((str(i["name"]), int(i.get("amount", 1))))
        else:
            out.append((str(i[0]), int(i[1])))
    return out


def pack_durability(world: World, name: str) -> float:
    """How many units of work (per ingredient amount) one pack gives: a tool's `durability` (2.1's plain items: 1)."""
    return float(world.protos.items.get(name, {}).get("durability", 1) or 1)


_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*)|([A-Za-z]+)|(.))")


def _formula(text: str, level: int) -> float:
    """A count_formula (numbers, L or l, + - * / ^ and brackets; a number before a bracket or L multiplies)."""
    tokens = [(n, w, o) for n, w, o in _TOKEN.findall(text) if n or w or o.strip()]
    pos = 0

    def peek() -> tuple[str, str, str] | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> tuple[str, str, str]:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def atom() -> float:
        n, w, o = take()
        if n:
            return float(n)
        if w in ("L", "l"):
            return float(level)
        if o == "(":
            v = expr()
            take()
            return v
        if o == "-":
            return -power()
        raise ValueError(f"bad count_formula {text!r}")

    def power() -> float:
        base = atom()
        t = peek()
        if t and t[2] == "^":
            take()
            return base ** power()
        return base

    def term() -> float:
        v = power()
        while (t := peek()) and (t[2] in ("*", "/") or t[1] or t[2] == "("):
            if t[2] == "*":
                take()
                v *= power()
            elif t[2] == "/":
                take()
                v /= power()
            else:
                v *= power()  # implicit multiplication: "2L", "3(L-1)"
        return v

    def expr() -> float:
        v = term()
        while (t := peek()) and t[2] in ("+", "-"):
            take()
            v = v + term() if t[2] == "+" else v - term()
        return v

    return expr()


# -- what can be researched -----------------------------------------------------------------------------------


def can_research(world: World, rs: ResearchState, name: str, queued: list[str] | None = None) -> bool:
    """Whether `name` may be queued: not researched, enabled, researched with labs (not by a trigger), and every
    prerequisite researched or queued before it."""
    proto = world.protos.technologies.get(name)
    tech = rs.techs.get(name)
    if proto is None or tech is None or tech.researched or not tech.enabled or is_trigger(proto):
        return False
    earlier = queued if queued is not None else []
    return all(rs.techs[p].researched or p in earlier for p in proto.get("prerequisites") or () if p in rs.techs)


# -- the queue ------------------------------------------------------------------------------------------------


class TechnologyRef:
    """LuaTechnology: a value naming (force, technology), as a LuaRecipe is; events carry it (api/technology.py)."""

    lua_class = "LuaTechnology"
    __slots__ = ("oid", "force", "name")

    def __init__(self, force: Any, name: str):
        # Derived from what it names (world/ids.py): the same technology of the same force is one object.
        self.oid = f"technology:{force.oid}:{name}"
        self.force = force
        self.name = name

    @property
    def valid(self) -> bool:
        return bool(self.force.valid)


def _tech(world: World, force: Force, name: str) -> TechnologyRef:
    return TechnologyRef(force, name)


def _raise(world: World, event: str, data: dict[str, Any]) -> None:
    world.engine.events.raise_event(event, data)


def start_next(world: World, force: Force, last: str | None = None) -> None:
    """The queue's first technology (if any) becomes the current research: its saved progress is taken back and
    on_research_started is raised; every lab of the force looks again."""
    rs = research_of(world, force)
    name = rs.current
    if name is not None:
        tech = rs.techs[name]
        count = unit_count(world.protos.technologies[name], tech.level)
        rs.progress = tech.saved_progress * count
        tech.saved_progress = 0.0
        rs.since = world.now()
        data: dict[str, Any] = {"research": _tech(world, force, name)}
        if last is not None:
            data["last_research"] = _tech(world, force, last)
        _raise(world, "on_research_started", data)
    labs_changed(world, force)


def _leave_current(world: World, force: Force, rs: ResearchState) -> str | None:
    """Stop the current research, keeping its progress as the technology's saved progress."""
    name = rs.current
    if name is None:
        return None
    now = world.now()
    rs.catch_up(now)
    count = unit_count(world.protos.technologies[name], rs.techs[name].level)
    fraction = rs.progress / count if count else 0.0
    rs.techs[name].saved_progress = fraction if fraction < 1.0 else 0.0
    rs.progress = 0.0
    rs.rate = 0.0
    rs.working.clear()
    return name


def cancel_current(world: World, force: Force) -> None:
    """LuaForce.cancel_current_research: the current research stops (its progress saved), technologies in the
    queue that need it go too, on_research_cancelled names them, and the next in the queue starts."""
    rs = research_of(world, force)
    name = _leave_current(world, force, rs)
    if name is None:
        return
    dropped = {name: 1}
    rs.queue.pop(0)
    kept: list[str] = []
    for other in rs.queue:
        needs = world.protos.technologies[other].get("prerequisites") or ()
        if any(p in dropped for p in needs):
            dropped[other] = dropped.get(other, 0) + 1
        else:
            kept.append(other)
    rs.queue = kept
    rs.previous = name
    _raise(world, "on_research_cancelled", {"research": dropped, "force": force})
    start_next(world, force)


def set_queue(world: World, force: Force, names: list[str]) -> None:
    """LuaForce.research_queue = names: what can't be researched (given what comes before it) is dropped."""
    rs = research_of(world, force)
    kept: list[str] = []
    for name in names:
        if name not in kept and can_research(world, rs, name, kept):
            kept.append(name)
    old = rs.current
    if kept[:1] == rs.queue[:1]:
        rs.queue = kept
        return
    _leave_current(world, force, rs)
    rs.queue = kept
    if old is not None and old not in kept:
        _raise(world, "on_research_cancelled", {"research": {old: 1}, "force": force})
    start_next(world, force, old)


def drop_researched(world: World, force: Force) -> None:
    """Technologies researched other than by labs leave the queue; if the current one did, the next starts."""
    rs = research_of(world, force)
    current = rs.current
    if current is not None and rs.techs[current].researched:
        _leave_current(world, force, rs)
        rs.techs[current].saved_progress = 0.0
        rs.queue = [n for n in rs.queue if not rs.techs[n].researched]
        start_next(world, force, current)
    else:
        rs.queue = [n for n in rs.queue if not rs.techs[n].researched]


def set_progress(world: World, force: Force, fraction: float) -> None:
    rs = research_of(world, force)
    name = rs.current
    count = unit_count(world.protos.technologies[name], rs.techs[name].level)  # type: ignore[index]
    rs.since = world.now()
    rs.progress = fraction * count
    labs_changed(world, force)  # the completion tick moved


# -- finishing ------------------------------------------------------------------------------------------------


def finish(world: World, force: Force, name: str, by_script: bool) -> None:
    """`name` is researched (one more level of a multi-level technology): its effects apply, it leaves the queue,
    on_research_finished is raised and the next in the queue starts."""
    rs = research_of(world, force)
    was_current = rs.current == name
    if was_current:
        _leave_current(world, force, rs)
    proto = world.protos.technologies[name]
    tech = rs.techs[name]
    tech.saved_progress = 0.0
    _apply(world, force, proto, 1)
    if proto.get("max_level") is not None and tech.level < max_level(proto):
        tech.level += 1  # the next level is researched next time; an infinite technology never ends
    else:
        tech.researched = True
    rs.queue = [n for n in rs.queue if n != name]
    rs.previous = name
    rs.crafted.pop(name, None)
    _raise(world, "on_research_finished", {"research": _tech(world, force, name), "by_script": by_script})
    if was_current:
        start_next(world, force, name)


def set_researched(world: World, force: Force, name: str, value: bool) -> None:
    """LuaTechnology.researched = value: true researches it (by script), false takes its effects back."""
    rs = research_of(world, force)
    tech = rs.techs[name]
    if value == tech.researched:
        return
    if value:
        finish(world, force, name, True)
        return
    tech.researched = False
    _apply(world, force, world.protos.technologies[name], -1)
    _raise(world, "on_research_reversed", {"research": _tech(world, force, name), "by_script": True})


def reset_effects(world: World, force: Force) -> None:
    """LuaForce.reset_technology_effects: recipes and research bonuses as the prototypes give them, then the
    effects of every researched technology (and every level done of a multi-level one) again."""
    rs = research_of(world, force)
    force.recipes_enabled = {n: bool(r.get("enabled", True)) for n, r in sorted(world.protos.recipes.items())}
    managed = set(MODIFIER_EFFECTS.values()) | set(_FLAG_EFFECTS.values())
    for key in list(force.modifiers):
        if key in managed or key.startswith(tuple(p for p, _ in _KEYED_EFFECTS.values())):
            del force.modifiers[key]
    for name, tech in rs.techs.items():
        proto = world.protos.technologies[name]
        # A multi-level technology gave its effects once per level done; any other once if researched.
        times = tech.level - tech_level(proto) if proto.get("max_level") is not None else 0
        times += 1 if tech.researched else 0
        for _ in range(times):
            _apply(world, force, proto, 1, notify=False)
    _bonuses_changed(world, force, set(_HAND_SPEEDS) | {"laboratory_speed_modifier"})


def _apply(world: World, force: Force, proto: dict[str, Any], sign: int, notify: bool = True) -> None:
    changed: set[str] = set()
    for effect in proto.get("effects") or ():
        kind = effect.get("type")
        if kind == "unlock-recipe":
            if effect.get("recipe") in force.recipes_enabled:
                force.recipes_enabled[effect["recipe"]] = sign > 0
        elif kind in MODIFIER_EFFECTS:
            key = MODIFIER_EFFECTS[kind]
            force.modifiers[key] = force.modifier(key) + sign * float(effect.get("modifier", 0))
            changed.add(key)
        elif kind in _FLAG_EFFECTS:
            force.modifiers[_FLAG_EFFECTS[kind]] = 1.0 if (sign > 0) == bool(effect.get("modifier", True)) else 0.0
        elif kind in _KEYED_EFFECTS:
            prefix, field = _KEYED_EFFECTS[kind]
            key = prefix + str(effect.get(field))
            force.modifiers[key] = force.modifier(key) + sign * float(effect.get("modifier", 0))
    if notify:
        _bonuses_changed(world, force, changed)


def _bonuses_changed(world: World, force: Force, changed: set[str]) -> None:
    """Whoever plans with a changed bonus plans again: busy characters, working labs."""
    if changed & set(_HAND_SPEEDS):
        from factoryverse.engine.kinds.character import speed_modifiers_changed

        speed_modifiers_changed(world, force)
    if "laboratory_speed_modifier" in changed or "laboratory_productivity_bonus" in changed:
        labs_changed(world, force)


# -- labs -----------------------------------------------------------------------------------------------------


def labs_changed(world: World, force: Force) -> None:
    """What the force's labs work on (or how fast) changed: each looks again at its next chance."""
    rs = research_of(world, force)
    for lab in list(rs.labs.values()):
        if lab.valid and lab.force is force:
            world.poke(lab)


def set_lab_rate(world: World, force: Force, lab: Entity, rate: float, tick: int) -> None:
    """`lab` adds `rate` units per tick to the current research from `tick` on (0: it stopped). Working labs due
    after the (new) completion tick are woken then."""
    rs = research_of(world, force)
    key = lab.unit_number
    old = rs.working.get(key, 0.0)
    if old == rate:
        return
    rs.catch_up(tick)
    if rate:
        rs.working[key] = rate
    else:
        rs.working.pop(key, None)
    # Summed afresh (in build order) rather than adjusted, so no rounding drift builds up over a long game.
    rs.rate = sum(rs.working.values())
    if rate > old:
        done = finish_tick(world, force)
        if done is not None:
            for number in rs.working:
                other = rs.labs.get(number)
                if other is not None and other is not lab and (other.due is None or other.due > done):
                    world.schedule(other, done)


def finish_tick(world: World, force: Force) -> int | None:
    """The tick during whose updates the current research completes at the present rate (None: it doesn't)."""
    rs = research_of(world, force)
    name = rs.current
    if name is None or rs.rate <= 0:
        return None
    count = unit_count(world.protos.technologies[name], rs.techs[name].level)
    if rs.progress + EPS >= count:
        return rs.since
    return rs.since + ticks_to_complete(rs.progress, rs.rate, count) - 1


# -- triggers -------------------------------------------------------------------------------------------------

# Prototype data (kept alive beside its index, so its id can't be reused) -> trigger type -> key -> technologies.
_TRIGGERS: dict[int, tuple[Any, dict[str, dict[str, list[str]]]]] = {}


def _triggers(world: World) -> dict[str, dict[str, list[str]]]:
    protos = world.protos
    found = _TRIGGERS.get(id(protos))
    if found is None or found[0] is not protos:
        index: dict[str, dict[str, list[str]]] = {}
        for name in sorted(protos.technologies):
            trigger = protos.technologies[name].get("research_trigger") or {}
            kind = trigger.get("type")
            keys = [trigger.get("item") or trigger.get("entity")] if kind != "mine-entity" or "entity" in trigger else []
            keys += list(trigger.get("entities") or ())  # 2.1's mine-entity names a list
            for key in keys:
                if isinstance(key, dict):
                    key = key.get("name")
                if key:
                    index.setdefault(str(kind), {}).setdefault(str(key), []).append(name)
        found = _TRIGGERS[id(protos)] = (protos, index)
    return found[1]


def _triggered(world: World, force: Force, kind: str, key: str, count: int) -> None:
    names = _triggers(world).get(kind, {}).get(key)
    if not names:
        return
    rs = research_of(world, force)
    for name in names:
        tech = rs.techs[name]
        proto = world.protos.technologies[name]
        if tech.researched or not tech.enabled or not all(rs.techs[p].researched for p in proto.get("prerequisites") or () if p in rs.techs):
            continue  # a trigger counts only once its technology can be researched
        need = int(proto["research_trigger"].get("count", 1))
        seen = rs.crafted.get(name, 0) + count
        if seen >= need:
            finish(world, force, name, False)
        else:
            rs.crafted[name] = seen


def crafted(world: World, force: Force, item: str, count: int) -> None:
    """`count` of `item` were crafted (by hand or by a machine) for `force`: craft-item triggers."""
    if item in _triggers(world).get("craft-item", ()):
        _triggered(world, force, "craft-item", item, count)


def mined(world: World, force: Force, entity_name: str) -> None:
    """`force` mined an entity (a resource by a drill or by hand): mine-entity triggers."""
    if entity_name in _triggers(world).get("mine-entity", ()):
        _triggered(world, force, "mine-entity", entity_name, 1)


def built(world: World, force: Force, entity_name: str) -> None:
    """`force` built an entity: build-entity triggers."""
    if entity_name in _triggers(world).get("build-entity", ()):
        _triggered(world, force, "build-entity", entity_name, 1)


# -- mining productivity --------------------------------------------------------------------------------------


def mining_bonus(world: World, drill: Entity, need: float, mined: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """A drill finished a cycle of `need` ticks of work: its productivity bar (`bonus_progress`, in the same
    ticks) grows by need x (base_productivity + the force's mining_drill_productivity_bonus); a full bar gives the
    cycle's products once more. Returns the extra products (recorded as produced)."""
    productivity = float(drill.proto.get("base_productivity", 0) or 0) + drill.force.modifier("mining_drill_productivity_bonus")
    if productivity <= 0:
        return []
    state = drill.state
    state.bonus_progress = getattr(state, "bonus_progress", 0.0) + need * productivity  # 0 in an older save
    extra: list[tuple[str, int]] = []
    while state.bonus_progress + EPS >= need:
        state.bonus_progress = max(0.0, state.bonus_progress - need)
        for name, count in mined:
            extra.append((name, count))
            world.record_production(drill.force, drill.surface, name, count)
    return extra
