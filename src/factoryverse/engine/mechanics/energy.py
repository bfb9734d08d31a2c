"""Energy sources: what a machine runs on, as the prototype's `energy_source` declares it.

Every machine draws its `energy_usage` through one of these, the same way:

* at an update at tick T the machine calls `draw(T)`, which takes that tick's energy and says at what fraction of
  full speed the machine works this tick (0: it cannot work, and `blocked_status` says why);
* between updates the machine works silently: `run(since)` starts drawing one tick's energy per tick from `since`,
  `sync(T)` applies the draws of the ticks before T and stops, so what a source holds is linear in the tick and
  computed when read;
* `next_event(since)` is the tick at which the source needs the machine's attention (a burner takes its next fuel
  item then), so the machine schedules its next update no later than that.

A change in what a source can supply (fuel put in, an electric network's satisfaction) wakes its owner. Electric
sources are members of electric networks (mechanics/electric_network.py); one without a network has no power.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factoryverse.engine.prototypes import parse_energy

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity

__all__ = ["EnergySource", "VoidSource", "ElectricSource", "EPS"]

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


class ElectricSource(EnergySource):
    """`type = "electric"`: works at its network's satisfaction, and at none without a network (`no_power`).

    The network counts the machine's `energy_usage` in its demand while the machine works or tries to: from a
    `draw` (or `run`) until an update that draws nothing (`sync` without `draw` or `run` after it: the network
    checks at the end of the tick, mechanics/electric_grid.py). Its `drain` counts always."""

    __slots__ = ("grid", "network", "drain", "demanding", "stopping")
    kind = "electric"

    def __init__(self, owner: Entity, usage: float, grid: Any, drain: float = 0.0):
        super().__init__(owner, usage)
        self.grid = grid  # the world's ElectricGrid (mechanics/electric_grid.py)
        self.network: Any = None  # mechanics/electric_network.ElectricNetwork
        self.drain = drain  # joules per tick, drawn whether the machine works or not
        self.demanding = False
        self.stopping = False

    def satisfaction(self) -> float:
        return self.network.satisfaction if self.network is not None else 0.0

    def sync(self, tick: int) -> None:
        if self.demanding and not self.stopping:
            self.stopping = True
            self.grid.maybe_stopping(self)

    def run(self, since: int) -> None:
        self.stopping = False
        if not self.demanding:
            self.grid.start(self, since - 1)

    def draw(self, tick: int) -> float:
        self.stopping = False
        if not self.demanding:
            self.grid.start(self, tick)
        return self.satisfaction()

    def can_supply(self) -> bool:
        return self.satisfaction() > 0

    def energy(self, tick: int) -> float:
        # The buffer refills every tick to what the network supplies: one tick's usage at its satisfaction.
        return self.usage * self.satisfaction()

    def invalidate(self) -> None:
        self.grid.remove_member(self.owner)


def make_energy_source(world: Any, entity: Entity, spec: dict[str, Any] | None, usage: float) -> EnergySource:
    """The source `spec` (a prototype's `energy_source`) describes; burners also get their fuel inventory."""
    from factoryverse.engine.mechanics.burner import Burner

    kind = (spec or {}).get("type", "void")
    if kind == "burner":
        return Burner.attach(world, entity, spec or {}, usage)
    if kind == "void":
        return VoidSource(entity, usage)
    # "electric"; "heat" and "fluid" have no supply in the engine yet, so they stand unpowered the same way.
    source = ElectricSource(entity, usage, world.electric, _drain(entity.proto, spec or {}, usage))
    world.electric.add_member(entity, source)
    return source


def _drain(proto: dict[str, Any], spec: dict[str, Any], usage: float) -> float:
    """Joules per tick drawn even while idle: the energy source's `drain`; a crafting machine without one drains
    1/30 of its energy_usage (CraftingMachinePrototype::energy_usage; the wiki's assembling machine 1: 75 kW + 2.5 kW)."""
    if spec.get("drain"):
        return parse_energy(spec["drain"]) / 60.0
    if "crafting_categories" in proto:
        return usage / 30.0
    return 0.0
