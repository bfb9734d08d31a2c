"""Energy sources: what a machine runs on, as the prototype's `energy_source` declares it.

Every machine draws its `energy_usage` through one of these, the same way:

* at an update at tick T the machine calls `draw(T)`, which takes that tick's energy and says at what fraction of
  full speed the machine works this tick (0: it cannot work, and `blocked_status` says why);
* between updates the machine works silently: `run(since)` starts drawing one tick's energy per tick from `since`,
  `sync(T)` applies the draws of the ticks before T and stops, so what a source holds is linear in the tick and
  computed when read;
* `next_event(since)` is the tick at which the source needs the machine's attention (a burner takes its next fuel
  item then), so the machine schedules its next update no later than that.

A change in what a source can supply (fuel put in, an electric network's satisfaction) wakes its owner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity

__all__ = ["EnergySource", "VoidSource", "ElectricSource", "ElectricNetwork", "EPS"]

# Joules and progress below this are rounding, not energy or work.
EPS = 1e-9


class EnergySource:
    """The interface machines use; see the module's docstring."""

    __slots__ = ("owner", "usage")
    kind = ""
    blocked_status = "no_power"

    def __init__(self, owner: Entity, usage: float):
        self.owner = owner
        self.usage = usage  # joules per tick of work at full speed (prototype energy_usage / 60)

    def sync(self, tick: int) -> None:
        pass

    def run(self, since: int) -> None:
        pass

    def draw(self, tick: int) -> float:
        raise NotImplementedError

    def next_event(self, since: int) -> int | None:
        return None

    def energy(self, tick: int) -> float:
        """`LuaEntity.energy`: what the entity's energy buffer holds."""
        return 0.0

    def can_supply(self) -> bool:
        """Whether a tick of work could be paid for now (a new machine's first status)."""
        return True

    def invalidate(self) -> None:
        pass


class VoidSource(EnergySource):
    """`type = "void"`: free energy, always full speed; no buffer ("always 0" in the API's words)."""

    __slots__ = ()
    kind = "void"

    def draw(self, tick: int) -> float:
        return 1.0


class ElectricNetwork:
    """The satisfaction an electric network gives its consumers (0..1). Networks are built from poles by the power
    mechanics; until an entity is connected to one it runs at full power (docs/known-differences.md)."""

    __slots__ = ("members", "satisfaction")

    def __init__(self, satisfaction: float = 0.0):
        self.members: dict[int, ElectricSource] = {}
        self.satisfaction = satisfaction

    def connect(self, source: ElectricSource, world: Any) -> None:
        source.network = self
        self.members[source.owner.oid] = source
        world.poke(source.owner)

    def set_satisfaction(self, value: float, world: Any) -> None:
        """Change what the network supplies and reschedule every consumer: its speed changes from the next update,
        and its progress up to now is kept at the old speed."""
        value = min(1.0, max(0.0, float(value)))
        if value == self.satisfaction:
            return
        self.satisfaction = value
        for source in list(self.members.values()):
            world.poke(source.owner)


class ElectricSource(EnergySource):
    """`type = "electric"`: works at its network's satisfaction. Until poles and networks exist an unconnected
    machine has full power, so electric drills, inserters and assemblers work (a documented difference)."""

    __slots__ = ("network",)
    kind = "electric"

    def __init__(self, owner: Entity, usage: float):
        super().__init__(owner, usage)
        self.network: ElectricNetwork | None = None

    def satisfaction(self) -> float:
        return self.network.satisfaction if self.network is not None else 1.0

    def draw(self, tick: int) -> float:
        return self.satisfaction()

    def can_supply(self) -> bool:
        return self.satisfaction() > 0

    def energy(self, tick: int) -> float:
        # The buffer refills every tick to what the network supplies: one tick's usage at its satisfaction.
        return self.usage * self.satisfaction()

    def invalidate(self) -> None:
        if self.network is not None:
            self.network.members.pop(self.owner.oid, None)
            self.network = None


def make_energy_source(world: Any, entity: Entity, spec: dict[str, Any] | None, usage: float) -> EnergySource:
    """The source `spec` (a prototype's `energy_source`) describes; burners also get their fuel inventory."""
    from factoryverse.engine.mechanics.burner import Burner

    kind = (spec or {}).get("type", "void")
    if kind == "burner":
        return Burner.attach(world, entity, spec or {}, usage)
    if kind == "void":
        return VoidSource(entity, usage)
    # "electric"; "heat" and "fluid" have no supply in the engine yet, so they stand unpowered the same way.
    return ElectricSource(entity, usage)
