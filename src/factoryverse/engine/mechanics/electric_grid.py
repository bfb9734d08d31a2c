"""The world's electric networks (`world.electric`): poles, copper wires, supply areas and the events that solve them.

Poles join the networks of the poles their wires reach; a network is a connected component of poles. An entity
with an electric energy source (a consumer) or a producer is a member of the network of the first pole whose
supply area overlaps its collision box (in the order the poles came to cover it). Building or removing a pole or
wire, a member coming or going, a consumer starting or stopping, a producer's power changing, an accumulator
filling or emptying and the daylight stepping are the only events; each solves the networks it touches
(mechanics/electric_solver.py). Nothing here runs per tick: a tick with no event costs two comparisons.

When events apply: a consumer that starts during tick T's updates is counted from T (it works at the new
satisfaction at once); stops, producer changes and building during the updates are solved when they end, from
T + 1; outside the updates (scripts between ticks, timers at the start of a tick) from the current tick.
"""

from __future__ import annotations

import heapq
import math
from typing import TYPE_CHECKING, Any

from factoryverse.engine.mechanics.daylight import DayCycle, day_cycle_for
from factoryverse.engine.mechanics.electric_network import ElectricNetwork
from factoryverse.engine.mechanics.electric_solver import settle, solve
from factoryverse.engine.mechanics.energy import ElectricSource
from factoryverse.engine.world.geometry import BBox

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.surface import Surface
    from factoryverse.engine.world.world import World

__all__ = ["ElectricGrid", "PoleState", "MAX_AUTO_WIRES", "wire_reach"]

# A new pole wires itself to at most this many poles (2.1's `auto_connect_up_to_n_wires` default; 2.0 has the
# same limit without the property); a pole holds at most this many copper wires built automatically.
MAX_AUTO_WIRES = 5

# The prototype types of poles: set by kinds/electric_pole.py (only kinds name entity types).
POLE_TYPES: list[str] = []


class PoleState:
    """A pole's copper wires (neighbour oid -> pole, in the order they were made), its network and what its supply
    area covers."""

    __slots__ = ("wires", "network", "covered", "reach", "supply")

    def __init__(self, reach: float, supply: float):
        self.wires: dict[int, Entity] = {}
        self.network: ElectricNetwork | None = None
        self.covered: dict[int, Entity] = {}
        self.reach = reach  # maximum_wire_distance
        self.supply = supply  # supply_area_distance


def wire_reach(a: Entity, b: Entity) -> bool:
    """Whether a copper wire can join poles `a` and `b`: their distance within both poles' maximum_wire_distance."""
    d = math.hypot(a.x - b.x, a.y - b.y)
    return a.surface is b.surface and d <= min(a.state.reach, b.state.reach) + 1e-9


def _overlaps(a: BBox, b: BBox) -> bool:
    return a.left < b.right and b.left < a.right and a.top < b.bottom and b.top < a.bottom


def _supply_box(pole: Entity) -> BBox:
    d = pole.state.supply
    return BBox(pole.x - d, pole.y - d, pole.x + d, pole.y + d)


class ElectricGrid:
    """Every electric network of a world, with what tells them when to solve. One per game."""

    lua_class = "ElectricGrid"  # named, not walked, by the state hash: `describe` gives its state
    __slots__ = ("world", "networks", "next_id", "members", "covering", "stopping", "dirty", "repoke", "timers", "seq",
                 "days", "max_supply", "flushing", "global_nets")

    def __init__(self, world: World):
        self.world = world
        self.networks: dict[int, ElectricNetwork] = {}
        self.next_id = 0
        self.members: dict[int, Any] = {}  # entity oid -> its ElectricSource or producer
        self.covering: dict[int, dict[int, Entity]] = {}  # member oid -> poles covering it, first one powers it
        self.stopping: list[ElectricSource] = []  # consumers updated this tick: idle unless they drew
        self.dirty: dict[int, ElectricNetwork] = {}  # solved when this tick's updates end
        self.repoke: dict[int, tuple[ElectricNetwork, bool]] = {}
        self.timers: list[tuple[int, int, ElectricNetwork]] = []  # (tick, seq, network): accumulators, daylight
        self.seq = 0
        self.days: dict[int, DayCycle] = {}
        poles = [p for t in POLE_TYPES for p in (world.protos.raw.get(t) or {}).values()]
        self.max_supply = max([float(p.get("supply_area_distance", 0)) for p in poles] or [0.0])
        self.flushing = False
        # LuaSurface.create_global_electric_network: surface index -> the network every member without a pole joins.
        self.global_nets: dict[int, ElectricNetwork] = {}

    # -- time ---------------------------------------------------------------------------------------------------

    def effective(self) -> int:
        world = self.world
        return world.tick + 1 if (world.updating or self.flushing) else world.tick

    def day(self, surface: Surface, change: bool = False) -> DayCycle:
        """The surface's day-night cycle; kept in the state only once a script changes it (a read changes nothing)."""
        cycle = self.days.get(surface.index)
        if cycle is None:
            cycle = day_cycle_for(self.world.protos, surface.name)
            if change:
                self.days[surface.index] = cycle
        return cycle

    def daylight_changed(self, surface: Surface) -> None:
        for net in list(self.networks.values()):
            if net.surface is surface and net.solar_peak:
                self.dirty[net.id] = net
        self.commit()

    def tick_start(self, tick: int) -> None:
        """Timers due now (an accumulator full or empty, the daylight's next step), before the machines update."""
        timers = self.timers
        while timers and timers[0][0] <= tick:
            due, _, net = heapq.heappop(timers)
            if net.valid and net.timer == due:
                solve(self, net, tick)

    def tick_end(self, tick: int) -> None:
        """After tick `tick`'s updates: consumers that drew nothing stop, changed networks are solved (from the next
        tick), and consumers whose satisfaction changed are woken to plan again."""
        if not (self.stopping or self.dirty or self.repoke):
            return
        self.flushing = True
        try:
            for src in self.stopping:
                if src.stopping:
                    src.stopping = False
                    if src.demanding:
                        self._stop(src)
            self.stopping.clear()
            while self.dirty:
                net = self.dirty.pop(next(iter(self.dirty)))
                if net.valid:
                    solve(self, net, tick + 1)
            repoke, self.repoke = self.repoke, {}
            for net, woke in repoke.values():
                if net.valid:
                    self._poke(net, woke)
        finally:
            self.flushing = False

    def changed(self, net: ElectricNetwork) -> None:
        """`net` must be solved again: at once outside the updates, when they end during them."""
        self.dirty[net.id] = net
        self.commit()

    def commit(self) -> None:
        if self.world.updating:
            return
        while self.dirty:
            net = self.dirty.pop(next(iter(self.dirty)))
            if net.valid:
                solve(self, net, self.effective())

    def satisfaction_changed(self, net: ElectricNetwork, woke: bool) -> None:
        if self.world.updating:
            prior = self.repoke.get(net.id)
            self.repoke[net.id] = (net, woke or (prior is not None and prior[1]))
        else:
            self._poke(net, woke)

    def _poke(self, net: ElectricNetwork, woke: bool) -> None:
        # Power coming back wakes every consumer (those blocked before they drew wait too); otherwise only the
        # working ones change speed.
        if woke:
            targets = [src for src in net.consumers.values() if _waits_for_power(src)]
        else:
            targets = list(net.demanding.values())
        for src in targets:
            self.world.poke(src.owner)

    # -- consumers starting and stopping ----------------------------------------------------------------------

    def start(self, src: ElectricSource, tick: int) -> None:
        src.demanding = True
        net = src.network
        if net is None:
            return
        net.demanding[src.owner.oid] = src
        _add_load(net, src.owner.name, src.usage)
        solve(self, net, tick)

    def maybe_stopping(self, src: ElectricSource) -> None:
        self.stopping.append(src)

    def _stop(self, src: ElectricSource) -> None:
        src.demanding = False
        net = src.network
        if net is not None and net.demanding.pop(src.owner.oid, None) is not None:
            _add_load(net, src.owner.name, -src.usage)
            self.dirty[net.id] = net

    # -- members ------------------------------------------------------------------------------------------------

    def add_member(self, entity: Entity, obj: Any) -> None:
        """`entity` (placed or about to be) draws or gives power through `obj`: it joins a covering pole's network."""
        self.members[entity.oid] = obj
        obj.network = None
        poles: dict[int, Entity] = {}
        box = entity.bbox()
        m = self.max_supply
        area = BBox(box.left - m, box.top - m, box.right + m, box.bottom + m)
        for pole in entity.surface.entities_with(entity.surface.by_type, POLE_TYPES, area):
            if pole.valid and isinstance(pole.state, PoleState) and pole.state.network is not None and _overlaps(_supply_box(pole), box):
                poles[pole.oid] = pole
                pole.state.covered[entity.oid] = entity
        if poles:
            self.covering[entity.oid] = poles
            self._attach(obj, next(iter(poles.values())).state.network)
            self.commit()
        elif entity.surface.index in self.global_nets:
            self._attach(obj, self.global_nets[entity.surface.index])
            self.commit()

    def remove_member(self, entity: Entity) -> None:
        obj = self.members.pop(entity.oid, None)
        if obj is None:
            return
        for pole in self.covering.pop(entity.oid, {}).values():
            pole.state.covered.pop(entity.oid, None)
        if obj.network is not None:
            self._detach(obj)
            self.commit()

    def member_changed(self, entity: Entity) -> None:
        """What a member gives or takes changed in a way its network keeps aggregated (an interface's usage)."""
        obj = self.members.get(entity.oid)
        if obj is not None and obj.network is not None:
            net = obj.network
            self._detach(obj)
            self._attach(obj, net)
            self.commit()

    def moved(self, entity: Entity) -> None:
        """`entity` was teleported: what covers it, or what it covers, is found again (wires stay)."""
        if isinstance(entity.state, PoleState) and entity.state.network is not None:
            self._recover(entity)
        obj = self.members.get(entity.oid)
        if obj is not None:
            self.remove_member(entity)
            self.add_member(entity, obj)

    def _attach(self, obj: Any, net: ElectricNetwork) -> None:
        e = obj.owner
        oid = e.oid
        obj.network = net
        if isinstance(obj, ElectricSource):
            net.consumers[oid] = obj
            _add_load(net, e.name, obj.drain)
            if obj.demanding:
                net.demanding[oid] = obj
                _add_load(net, e.name, obj.usage)
        elif getattr(obj, "is_accumulator", False):
            net.accumulators[oid] = obj
            obj.set_flow(self.effective(), 0.0)
        elif obj.priority == "solar" and hasattr(obj, "solar_peak"):
            net.solar[oid] = obj
            net.solar_peak += obj.solar_peak
            net.solar_names[e.name] = net.solar_names.get(e.name, 0.0) + obj.solar_peak
        else:
            net.producers[oid] = obj
        load = getattr(obj, "fixed_load", 0.0)
        if load:
            _add_load(net, e.name, load)
        self.dirty[net.id] = net
        if _waits_for_power(obj):
            self.world.poke(e)

    def _detach(self, obj: Any) -> None:
        net = obj.network
        e = obj.owner
        oid = e.oid
        tick = self.effective()
        settle(net, max(tick, net.since))
        obj.network = None
        if isinstance(obj, ElectricSource):
            del net.consumers[oid]
            _add_load(net, e.name, -obj.drain)
            if net.demanding.pop(oid, None) is not None:
                _add_load(net, e.name, -obj.usage)
        elif getattr(obj, "is_accumulator", False):
            del net.accumulators[oid]
            obj.set_flow(max(tick, net.since), 0.0)
        elif obj.priority == "solar" and hasattr(obj, "solar_peak"):
            del net.solar[oid]
            net.solar_peak -= obj.solar_peak
            left = net.solar_names.get(e.name, 0.0) - obj.solar_peak
            if left > 1e-9:
                net.solar_names[e.name] = left
            else:
                net.solar_names.pop(e.name, None)
            if not net.solar_names:
                net.solar_peak = 0.0
        else:
            del net.producers[oid]
            if net.drawn.pop(oid, 0.0) and getattr(obj, "notify_drawn", True):
                obj.on_drawn(max(tick, net.since), 0.0)
        load = getattr(obj, "fixed_load", 0.0)
        if load:
            _add_load(net, e.name, -load)
        if net.valid:
            self.dirty[net.id] = net
        if e.valid and _waits_for_power(obj):
            self.world.poke(e)

    # -- poles and wires ----------------------------------------------------------------------------------------

    def new_network(self, surface: Surface) -> ElectricNetwork:
        self.next_id += 1
        net = ElectricNetwork(self.next_id, surface)
        net.since = self.effective()
        self.networks[net.id] = net
        return net

    def add_pole(self, pole: Entity) -> None:
        """A new pole: copper wires to the nearest poles in reach (up to MAX_AUTO_WIRES, none to a pole it is
        already joined to by an earlier of these wires), its network, and the members its supply area covers."""
        state: PoleState = pole.state
        surface = pole.surface
        r = state.reach
        candidates = []
        for other in surface.entities_with(surface.by_type, POLE_TYPES, BBox(pole.x - r, pole.y - r, pole.x + r, pole.y + r)):
            if other is not pole and other.valid and isinstance(other.state, PoleState) and other.state.network is not None \
                    and wire_reach(pole, other):
                candidates.append((math.hypot(other.x - pole.x, other.y - pole.y), other.unit_number or 0, other))
        candidates.sort(key=lambda c: (c[0], c[1]))
        for _, _, other in candidates:
            if len(state.wires) >= MAX_AUTO_WIRES:
                break
            if state.network is not None and other.state.network is state.network:
                continue
            if len(other.state.wires) >= MAX_AUTO_WIRES:
                continue
            self.connect(pole, other)
        if state.network is None:
            net = self.new_network(surface)
            self._add_pole_to(pole, net)
        self._recover(pole)
        self.dirty[state.network.id] = state.network
        self.commit()

    def _add_pole_to(self, pole: Entity, net: ElectricNetwork) -> None:
        pole.state.network = net
        net.poles[pole.oid] = pole

    def connect(self, a: Entity, b: Entity) -> None:
        """A copper wire between poles `a` and `b` (checked by the caller); their networks merge."""
        sa, sb = a.state, b.state
        sa.wires[b.oid] = b
        sb.wires[a.oid] = a
        if sa.network is None:
            self._add_pole_to(a, sb.network)
        elif sb.network is None:
            self._add_pole_to(b, sa.network)
        elif sa.network is not sb.network:
            self._merge(sa.network, sb.network)
        self.commit()

    def disconnect(self, a: Entity, b: Entity) -> None:
        a.state.wires.pop(b.oid, None)
        b.state.wires.pop(a.oid, None)
        if a.state.network is not None:
            self._split(a.state.network)
        self.commit()

    def remove_pole(self, pole: Entity) -> None:
        state: PoleState = pole.state
        net = state.network
        if net is None:
            return
        for other in list(state.wires.values()):
            other.state.wires.pop(pole.oid, None)
        state.wires.clear()
        del net.poles[pole.oid]
        state.network = None
        for oid, e in list(state.covered.items()):
            poles = self.covering.get(oid)
            if poles is not None:
                poles.pop(pole.oid, None)
                if not poles:
                    del self.covering[oid]
        uncovered = list(state.covered.values())
        state.covered.clear()
        self._split(net)
        for e in uncovered:
            self._reassign(e)
        self.commit()

    def _recover(self, pole: Entity) -> None:
        """Find again what `pole`'s supply area covers (a new or teleported pole)."""
        state: PoleState = pole.state
        for oid in list(state.covered):
            poles = self.covering.get(oid)
            if poles is not None:
                poles.pop(pole.oid, None)
                if not poles:
                    del self.covering[oid]
        old = list(state.covered.values())
        state.covered.clear()
        box = _supply_box(pole)
        for e in pole.surface.entities_near(box):
            if e.valid and e.oid in self.members and _overlaps(box, e.bbox()):
                state.covered[e.oid] = e
                self.covering.setdefault(e.oid, {})[pole.oid] = pole
        for e in old + list(state.covered.values()):
            self._reassign(e)

    def _reassign(self, e: Entity) -> None:
        """Put member `e` in the network of its first covering pole (or none)."""
        obj = self.members.get(e.oid)
        if obj is None:
            return
        poles = self.covering.get(e.oid)
        net = next(iter(poles.values())).state.network if poles else self.global_nets.get(e.surface.index)
        if obj.network is net:
            return
        if obj.network is not None:
            self._detach(obj)
        if net is not None:
            self._attach(obj, net)

    def _merge(self, a: ElectricNetwork, b: ElectricNetwork) -> ElectricNetwork:
        big, small = (a, b) if len(a.poles) >= len(b.poles) else (b, a)
        tick = self.effective()
        settle(big, max(tick, big.since))
        settle(small, max(tick, small.since))
        for pole in small.poles.values():
            self._add_pole_to(pole, big)
        members = _members(small)
        self._drop(small)
        for obj in members:
            self._detach(obj)
        big.statistics.input.merge(small.statistics.input)
        big.statistics.output.merge(small.statistics.output)
        for obj in members:
            self._attach(obj, big)
        self.dirty[big.id] = big
        return big

    def _drop(self, net: ElectricNetwork) -> None:
        net.valid = False
        net.timer = None
        self.networks.pop(net.id, None)
        self.dirty.pop(net.id, None)

    def _split(self, net: ElectricNetwork) -> None:
        """`net` lost a pole or wire: its poles' connected components become networks (the first keeps the id)."""
        if not net.poles:
            members = _members(net)
            self._drop(net)
            for obj in members:
                self._detach(obj)
            return
        seen: dict[int, int] = {}
        components: list[list[Entity]] = []
        for start in net.poles.values():
            if start.oid in seen:
                continue
            comp = [start]
            seen[start.oid] = len(components)
            i = 0
            while i < len(comp):
                for other in comp[i].state.wires.values():
                    if other.oid not in seen and other.oid in net.poles:
                        seen[other.oid] = len(components)
                        comp.append(other)
                i += 1
            components.append(comp)
        if len(components) == 1:
            self.dirty[net.id] = net
            return
        for comp in components[1:]:
            fresh = self.new_network(net.surface)
            for pole in comp:
                del net.poles[pole.oid]
                self._add_pole_to(pole, fresh)
            for pole in comp:
                for e in list(pole.state.covered.values()):
                    self._reassign(e)
        self.dirty[net.id] = net

    # -- the global network -------------------------------------------------------------------------------------

    def create_global(self, surface: Surface) -> None:
        """Every member on `surface` not covered by a pole joins one network, without poles (the game's global
        electric network; it is not joined to the pole networks, docs/known-differences.md)."""
        if surface.index in self.global_nets:
            return
        net = self.global_nets[surface.index] = self.new_network(surface)
        for obj in list(self.members.values()):
            if obj.network is None and obj.owner.surface is surface and obj.owner.valid:
                self._attach(obj, net)
        self.dirty[net.id] = net
        self.commit()

    def destroy_global(self, surface: Surface) -> None:
        net = self.global_nets.pop(surface.index, None)
        if net is None:
            return
        members = _members(net)
        self._drop(net)
        for obj in members:
            self._detach(obj)
        self.commit()

    # -- reading ------------------------------------------------------------------------------------------------

    def network_of(self, entity: Entity) -> ElectricNetwork | None:
        if isinstance(entity.state, PoleState):
            return entity.state.network
        obj = self.members.get(entity.oid)
        return None if obj is None else obj.network

    def describe(self) -> list[Any]:
        """The grid's state for the state hash: each network's poles, members, demand and solution."""
        from factoryverse.engine.state_hash import ref

        out: list[Any] = [self.next_id, sorted(t for t, _, n in self.timers if n.valid and n.timer == t)]
        for net in self.networks.values():
            out.append([
                net.id, net.surface.name, [ref(p) for p in net.poles.values()], [ref(s.owner) for s in net.demanding.values()],
                len(net.consumers), net.demand, net.satisfaction, net.since, net.solar_peak, net.solar_drawn,
                sorted((ref(net.producers[o].owner)[1:2], p) for o, p in net.drawn.items() if o in net.producers),
                net.statistics, net.timer,  # totals and per-window samples
            ])
        for index, day in sorted(self.days.items()):
            out.append([index, day.ticks_per_day, day.daytime0, day.tick0, day.frozen, day.always_day, day.dusk,
                        day.evening, day.morning, day.dawn, day.solar_multiplier])
        return out


def _waits_for_power(obj: Any) -> bool:
    """Whether a member's plan depends on its power: a consumer working or stopped for want of power."""
    if not isinstance(obj, ElectricSource):
        return False
    return obj.demanding or getattr(obj.owner.state, "status", None) in ("no_power", "low_power")


def _members(net: ElectricNetwork) -> list[Any]:
    return [*net.consumers.values(), *net.producers.values(), *net.accumulators.values(), *net.solar.values()]


def _add_load(net: ElectricNetwork, name: str, amount: float) -> None:
    if not amount:
        return
    net.demand += amount
    left = net.loads.get(name, 0.0) + amount
    if abs(left) < 1e-9:
        net.loads.pop(name, None)
    else:
        net.loads[name] = left
    if not net.loads:
        net.demand = 0.0
