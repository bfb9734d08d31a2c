"""Electric networks: poles joined by copper wires, the entities in their supply areas, and who powers whom.

A network is a connected component of poles. Its members are the entities whose collision box overlaps a member
pole's supply area: consumers (machines with an `electric` energy source, mechanics/energy.py) and producers.
Everything on a network is constant between events, so the network is solved only when something changes
(mechanics/electric_solver.py), never per tick.

The producer protocol (steam engines, solar panels, accumulators, electric energy interfaces)
------------------------------------------------------------------------------------------------
A producer is a module-level object with `__slots__` (it is saved with the world), usually the entity's `state`:

    owner: Entity                 the producing entity
    priority: str                 its energy source's `usage_priority`: "solar", "primary-output",
                                  "secondary-output" (steam engines) or "tertiary" (accumulators: they also charge)
    network: ElectricNetwork | None   set by the network (None while no pole covers the entity)
    def max_power(self, tick: int) -> float
        joules per tick it can give at `tick` and every later tick until it says otherwise
    def on_drawn(self, tick: int, power: float) -> None
        from `tick` on the network takes `power` joules per tick from it (0 <= power <= max_power); called only
        when that changes, so the producer integrates what it gave (steam burnt, statistics) linearly in the tick

Its kind calls `add_producer(world, producer)` in `attach` and `remove_producer(world, producer)` in `destroyed`,
and `producer_changed(world, producer)` whenever `max_power` changes (steam arrives or runs out). A change made
during tick T's updates is solved at the end of tick T and applies from tick T + 1 (`on_drawn(T + 1, ...)`);
one made outside the updates (a script, a timer) applies from the current tick.

Consumers need nothing: `make_energy_source` connects every electric energy source. A consumer demands its
`energy_usage` while it works (it called `draw` in its last update, or is running) and its `drain` always.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from factoryverse.engine.mechanics.statistics import ItemFlowStatistics

if TYPE_CHECKING:
    from factoryverse.engine.mechanics.energy import ElectricSource
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["Producer", "ElectricNetwork", "add_producer", "remove_producer", "producer_changed", "PRIORITIES"]

# The order in which producers supply a network (ElectricUsagePriority): solar panels, then primary and secondary
# outputs (steam engines), then tertiary ones (accumulators) only for what the others cannot give.
PRIORITIES: tuple[str, ...] = ("solar", "primary-output", "secondary-output", "tertiary")


class Producer(Protocol):
    owner: Entity
    priority: str
    network: ElectricNetwork | None

    def max_power(self, tick: int) -> float: ...

    def on_drawn(self, tick: int, power: float) -> None: ...


class ElectricNetwork:
    """One connected component of poles and what their supply areas cover. `demand` is kept as consumers start and
    stop (joules per tick); the solver (mechanics/electric_solver.py) sets `satisfaction` and what each producer
    gives from tick `since` on."""

    __slots__ = (
        "id", "surface", "poles", "consumers", "demanding", "demand", "loads", "producers", "accumulators",
        "solar", "solar_peak", "solar_names", "solar_drawn", "satisfaction", "since", "drawn", "statistics",
        "timer", "repoke", "valid",
    )

    def __init__(self, network_id: int, surface: Any):
        self.id = network_id
        self.surface = surface
        self.poles: dict[int, Entity] = {}
        self.consumers: dict[int, ElectricSource] = {}
        self.demanding: dict[int, ElectricSource] = {}  # consumers drawing their energy_usage (working or trying to)
        self.demand = 0.0  # joules per tick: energy_usage of `demanding` + drain of every consumer
        self.loads: dict[str, float] = {}  # the same per consumer prototype name (the statistics' consumption)
        self.producers: dict[int, Any] = {}  # every producer but solar panels and accumulators
        self.accumulators: dict[int, Any] = {}  # tertiary buffers: they both charge and discharge
        # Solar panels need no call each: they give their peak times the surface's light, all alike.
        self.solar: dict[int, Any] = {}
        self.solar_peak = 0.0
        self.solar_names: dict[str, float] = {}
        self.solar_drawn = 0.0
        self.satisfaction = 0.0
        self.since = 0  # the tick the current solution applies from
        self.drawn: dict[int, float] = {}  # producer oid -> joules per tick it gives since `since`
        # Energy flows up to `since`, per prototype name in joules, with the game's precision windows: input is what
        # consumers (and charging accumulators) took, output what producers gave, as the game's GUI sides them.
        self.statistics = ItemFlowStatistics()
        self.timer: int | None = None  # the tick an accumulator fills or empties, or daylight changes
        self.repoke = False  # satisfaction changed during the updates: poke consumers when they end
        self.valid = True

    @property
    def production(self) -> dict[str, float]:
        return self.statistics.output.totals

    @property
    def consumption(self) -> dict[str, float]:
        return self.statistics.input.totals

    lua_class = "ElectricNetwork"  # named, not walked, by the state hash (the grid describes networks)

    def __repr__(self) -> str:
        return f"<ElectricNetwork {self.id}: {len(self.poles)} poles, satisfaction {self.satisfaction:.3f}>"


def _system(world: World) -> Any:
    return world.electric


def add_producer(world: World, producer: Producer) -> None:
    """A new producer (call from its kind's `attach`): it joins the network of a pole covering it, if any."""
    _system(world).add_member(producer.owner, producer)


def remove_producer(world: World, producer: Producer) -> None:
    """The producer is gone (call from its kind's `destroyed`)."""
    _system(world).remove_member(producer.owner)


def producer_changed(world: World, producer: Producer) -> None:
    """The producer's `max_power` changed: its network is solved again (see the module docstring for when)."""
    net = producer.network
    if net is not None and net.valid:
        _system(world).changed(net)
