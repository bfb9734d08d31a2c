"""Labs: research the force's current technology, draining the science packs in their `lab_input` inventory.

A lab of `researching_speed` s works at s x (1 + force.laboratory_speed_modifier) x its power / research_unit_energy
units per tick on the force's current research (mechanics/research.py sums the labs of a force). Each unit drains
`amount` of every ingredient's durability (2.0's tools: `durability` per pack, 1 for the base packs) times the lab's
`science_pack_drain_rate_percent`; the pack in use stays in the slot until it is used up, so a lab works while it
holds at least one pack of each ingredient. The lab updates when a pack runs out, when the research completes and
when what it waits on changes (its packs, the force's research, its power), never in between.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from factoryverse.engine.kinds.base import new_inventory
from factoryverse.engine.kinds.machine import MachineKind, ticks_to_complete
from factoryverse.engine.mechanics import research
from factoryverse.engine.mechanics.energy import EPS
from factoryverse.engine.world.inventory import item_filter

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["LabKind", "LabState", "LAB_INPUT"]

LAB_INPUT = "lab_input"


class LabState:
    """`drained`: durability used of the pack in use of each kind, as of the start of tick `since`; while the lab
    works on `tech` it grows by `rate` units per tick (times each ingredient's amount and the drain rate)."""

    __slots__ = ("status", "speed", "drain", "since", "rate", "tech", "drained")

    def __init__(self, speed: float, drain: float):
        self.status = "no_research_in_progress"
        self.speed = speed
        self.drain = drain
        self.since = 0
        self.rate = 0.0
        self.tech: str | None = None
        self.drained: dict[str, float] = {}


class LabKind(MachineKind):
    types: ClassVar[tuple[str, ...]] = ("lab",)
    insert_order: ClassVar[tuple[str, ...]] = (LAB_INPUT,)
    takes_drops: ClassVar[bool] = True
    main_inventory_name: ClassVar[str | None] = LAB_INPUT

    def attach(self, world: World, entity: Entity) -> None:
        proto = entity.proto
        drain = float(proto.get("science_pack_drain_rate_percent", 100)) / 100.0
        entity.state = LabState(float(proto.get("researching_speed", 1)), drain)
        inputs = frozenset(proto.get("inputs") or ())
        # Any pack of `inputs` goes in, whatever the research needs.
        new_inventory(world, entity, LAB_INPUT, len(inputs), item_filter(inputs))
        super().attach(world, entity)  # the energy source, then the wake-up on every inventory change
        research.research_of(world, entity.force).labs[entity.unit_number] = entity
        world.wake(entity)

    def update(self, world: World, entity: Entity, tick: int) -> None:
        state: LabState = entity.state
        force = entity.force
        rs = research.research_of(world, force)
        if entity.unit_number not in rs.labs:
            rs.labs[entity.unit_number] = entity  # came with a merged force
        if tick < state.since:
            world.schedule(entity, state.since)  # this tick's work was done when the research finished
            return
        source = entity.energy
        # The silent ticks since the last update, at the rate then; packs used up in them go.
        if state.rate:
            self._drain(world, entity, state, state.rate * (tick - state.since))
        source.sync(tick)
        state.since = tick + 1
        rate = self._work_rate(world, entity, state, rs, tick)
        # Productivity adds research, not pack use: the force gets more than the packs are drained for.
        research.set_lab_rate(world, force, entity, rate * (1.0 + force.modifier("laboratory_productivity_bonus")), tick)
        state.rate = rate
        if not rate:
            world.sleep(entity)  # woken by its packs, its power or the force's research
            return
        self._drain(world, entity, state, rate)  # this tick's work
        done = research.finish_tick(world, force)
        if done is not None and done <= tick:
            state.rate = 0.0
            # The other working labs' work of this tick counted towards it too: their packs pay for it now.
            for number in list(rs.working):
                other = rs.labs.get(number)
                if other is not None and other is not entity and other.valid:
                    self._settle(world, other, tick)
            research.finish(world, force, rs.current, False)  # type: ignore[arg-type]
            world.schedule(entity, tick + 1)  # its next tick goes to what the force researches next
            return
        source.run(tick + 1)
        nxt = tick + self._next_pack(world, state, rate)
        for candidate in (done, source.next_event(tick + 1)):
            if candidate is not None and candidate < nxt:
                nxt = candidate
        world.schedule(entity, nxt)

    def _work_rate(self, world: World, entity: Entity, state: LabState, rs: research.ResearchState, tick: int) -> float:
        """Units per tick this lab works from `tick` on (0 with the status saying why it can't)."""
        name = rs.current
        if name is None:
            state.status = "no_research_in_progress"
            return 0.0
        proto = world.protos.technologies[name]
        inv = entity.inventories[LAB_INPUT]
        if any(inv.count(pack) < 1 for pack, _ in research.unit_ingredients(proto)):
            state.status = "missing_science_packs"
            return 0.0
        factor = self.draw(entity, tick)
        if factor <= 0:
            return 0.0
        state.tech = name
        speed = state.speed * (1.0 + entity.force.modifier("laboratory_speed_modifier"))
        return speed * factor / research.unit_energy(proto)

    def _drain(self, world: World, entity: Entity, state: LabState, units: float) -> None:
        """`units` of work done: each ingredient's pack in use loses amount x units x drain durability; a used up
        pack leaves the inventory (consumed, in the statistics)."""
        if state.tech is None or units <= 0:
            return
        inv = entity.inventories[LAB_INPUT]
        for pack, amount in research.unit_ingredients(world.protos.technologies[state.tech]):
            durability = research.pack_durability(world, pack)
            used = state.drained.get(pack, 0.0) + amount * units * state.drain
            while used + EPS >= durability and inv.count(pack) > 0:
                used = max(0.0, used - durability)
                inv.remove(pack, 1)
                world.record_consumption(entity.force, entity.surface, pack, 1)
            state.drained[pack] = used if inv.count(pack) > 0 else 0.0

    def _settle(self, world: World, entity: Entity, tick: int) -> None:
        """Drain what the lab worked up to and including `tick`; its next update starts from tick + 1."""
        state: LabState = entity.state
        if state.rate and tick >= state.since:
            self._drain(world, entity, state, state.rate * (tick + 1 - state.since))
        state.since = tick + 1
        state.rate = 0.0

    @staticmethod
    def _next_pack(world: World, state: LabState, rate: float) -> int:
        """Ticks until the first pack in use runs out at `rate` (that tick's update takes it out)."""
        best = None
        for pack, amount in research.unit_ingredients(world.protos.technologies[state.tech]):  # type: ignore[index]
            m = ticks_to_complete(state.drained.get(pack, 0.0), amount * rate * state.drain, research.pack_durability(world, pack))
            best = m if best is None else min(best, m)
        return best or 1

    def destroyed(self, world: World, entity: Entity) -> None:
        research.set_lab_rate(world, entity.force, entity, 0.0, world.now())
        research.research_of(world, entity.force).labs.pop(entity.unit_number, None)
        super().destroyed(world, entity)

    def status(self, world: World, entity: Entity) -> str | None:
        return entity.state.status

