"""Fluid boxes and how they join: each entity's boxes from its prototype, their pipe connections turned with the
entity, and the networks (mechanics/fluid_network.py) that connected boxes share.

Boxes come from the prototype's `fluid_box`, `output_fluid_box` and `fluid_boxes`, in that order (a boiler's water
box is 1, its steam box 2, as `LuaEntity.fluidbox` numbers them). A pipe connection at `position` facing
`direction` joins the box whose connection sits on the next tile and faces back (`normal`), or the first box along
that direction within `max_underground_distance` tiles whose underground connection faces back (`underground`).
An `input` connection never joins another `input`, nor an `output` another `output`. A connection that would join
two fluids, or a fluid and a box filtered for another, is not made: the game refuses to mix fluids.

The world's `FluidSystem` (`world.fluids`, saved with the world) keeps which boxes each network has, the
connection points by tile, and the networks' extents: a network spanning more than `default_pipeline_extent` tiles
(utility constants) stops flowing, as the game's pipelines do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factoryverse.engine.mechanics.fluid_network import EPS, FluidNetwork, replan
from factoryverse.engine.world.geometry import rotate_vector

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = [
    "FluidBox", "FluidSystem", "fluid_system", "box_specs", "attach_boxes", "detach_boxes", "boxes_of",
    "box_amount", "insert_fluid", "remove_fluid", "fluid_contents", "BOX_FIELDS", "fluid_statistics",
    "fluid_statistics_now", "pipe_connections", "set_box_filter",
]

# Prototype fields holding fluid boxes, in the order the API numbers them.
BOX_FIELDS = ("fluid_box", "input_fluid_box", "output_fluid_box")
_OPPOSITE = {0: 8, 4: 12, 8: 0, 12: 4}
_UNIT = {0: (0, -1), 4: (1, 0), 8: (0, 1), 12: (-1, 0)}


def box_specs(proto: dict[str, Any]) -> list[dict[str, Any]]:
    """The prototype's fluid box definitions, in API order."""
    specs = [proto[f] for f in BOX_FIELDS if isinstance(proto.get(f), dict)]
    specs.extend(b for b in proto.get("fluid_boxes") or () if isinstance(b, dict))
    return specs


class FluidBox:
    """One fluid box of an entity: `volume` units of its network's pool, `filter` the only fluid it takes. `links`
    are the (entity, box index) it is connected to, in the order the connections were made."""

    __slots__ = ("owner", "index", "volume", "filter", "production_type", "network", "links")

    def __init__(self, owner: Entity, index: int, spec: dict[str, Any]):
        self.owner = owner
        self.index = index  # 0-based
        self.volume = float(spec.get("volume", 0) or 0)
        self.filter: str | None = spec.get("filter")
        self.production_type: str | None = spec.get("production_type")
        self.network: FluidNetwork | None = None
        self.links: list[tuple[Entity, int]] = []

    def key(self) -> tuple[int, int]:
        return (self.owner.oid, self.index)


class _Port:
    """A pipe connection in map coordinates: its tile's centre doubled, the way it faces, and its kind."""

    __slots__ = ("box", "x2", "y2", "direction", "type", "flow", "reach")

    def __init__(self, box: int, x2: int, y2: int, direction: int, type_: str, flow: str, reach: int):
        self.box, self.x2, self.y2, self.direction, self.type, self.flow, self.reach = (
            box, x2, y2, direction, type_, flow, reach)


def _ports(entity: Entity) -> list[_Port]:
    out = []
    d = entity.direction
    for i, spec in enumerate(box_specs(entity.proto)):
        for conn in spec.get("pipe_connections") or ():
            kind = conn.get("connection_type", "normal")
            if kind == "linked" or "position" not in conn and "positions" not in conn:
                continue
            pos = conn.get("position") or conn["positions"][d // 4 % 4]
            rx, ry = rotate_vector((float(pos[0]), float(pos[1])), d) if "position" in conn else (float(pos[0]), float(pos[1]))
            facing = (int(conn.get("direction", 0)) + d) % 16
            out.append(_Port(i, round(2 * (entity.x + rx)), round(2 * (entity.y + ry)), facing, kind,
                             conn.get("flow_direction", "input-output"), int(conn.get("max_underground_distance", 0))))
    return out


def _joins(a: str, b: str) -> bool:
    return not (a == b and a in ("input", "output"))


class FluidSystem:
    """Every network's boxes, the connection points by tile, and network extents (see the module docstring)."""

    __slots__ = ("next_id", "members", "ports", "owned", "extents", "statistics")

    def __init__(self) -> None:
        self.next_id = 0
        # network id -> {(owner oid, box index): box}
        self.members: dict[int, dict[tuple[int, int], FluidBox]] = {}
        # (surface index, x2, y2, facing) -> [(entity, port)]
        self.ports: dict[tuple[int, int, int, int], list[tuple[Entity, _Port]]] = {}
        # entity oid -> the port keys it holds (where it stood when it connected)
        self.owned: dict[int, list[tuple[int, int, int, int]]] = {}
        # network id -> [left, top, right, bottom] of its owners' positions
        self.extents: dict[int, list[float]] = {}
        # (force name, surface index) -> ItemFlowStatistics of fluids (api/fluidbox.py reads it)
        self.statistics: dict[tuple[str, int], Any] = {}

    def new_network(self, world: World, boxes: list[FluidBox]) -> FluidNetwork:
        self.next_id += 1
        net = FluidNetwork(self.next_id, sum(b.volume for b in boxes), world.tick)
        self.members[net.id] = {b.key(): b for b in boxes}
        for b in boxes:
            b.network = net
            if b.filter is not None:
                net.filter = b.filter
        self._measure(world, net)
        return net

    def _measure(self, world: World, net: FluidNetwork) -> None:
        xs = [b.owner.x for b in self.members[net.id].values()]
        ys = [b.owner.y for b in self.members[net.id].values()]
        self.extents[net.id] = [min(xs), min(ys), max(xs), max(ys)]
        self._check_extent(world, net)

    def _check_extent(self, world: World, net: FluidNetwork) -> None:
        left, top, right, bottom = self.extents[net.id]
        limit = _pipeline_extent(world)
        net.blocked = right - left + 1 > limit or bottom - top + 1 > limit

    # -- joining ----------------------------------------------------------------------------------------------

    def connect(self, world: World, a: FluidBox, b: FluidBox) -> bool:
        """Link two boxes, merging their networks unless that would mix fluids. Returns whether they joined."""
        na, nb = a.network, b.network
        if na is None or nb is None:
            return False
        if na is not nb:
            names = {n for n in (na.filter, na.fluid, nb.filter, nb.fluid) if n is not None}
            if len(names) > 1:
                return False
            self._merge(world, na, nb)
        a.links.append((b.owner, b.index))
        b.links.append((a.owner, a.index))
        return True

    def _merge(self, world: World, na: FluidNetwork, nb: FluidNetwork) -> None:
        keep, gone = (na, nb) if len(self.members[na.id]) >= len(self.members[nb.id]) else (nb, na)
        tick = world.tick
        keep.sync(tick)
        gone.sync(tick)
        total = keep.amount + gone.amount
        if total > EPS:
            keep.temperature = (keep.amount * keep.temperature + gone.amount * gone.temperature) / total
        keep.amount = total
        keep.fluid = keep.fluid or gone.fluid
        keep.filter = keep.filter or gone.filter
        keep.capacity += gone.capacity
        moved = self.members.pop(gone.id)
        for box in moved.values():
            box.network = keep
        self.members[keep.id].update(moved)
        for key, flow in gone.flows.items():
            flow.set_rate(tick, 0.0, world, gone.fluid)
            keep.flows[key] = flow
        gone.flows = {}
        a, b = self.extents.pop(gone.id), self.extents[keep.id]
        self.extents[keep.id] = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
        self._check_extent(world, keep)
        keep.solve(world, tick)

    def split(self, world: World, net: FluidNetwork) -> None:
        """`net` lost boxes: its remaining boxes form one or more networks; the fluid is shared by volume and what
        no longer fits is lost, as when the game removes a pipe."""
        tick = world.tick
        net.sync(tick)
        members = self.members.pop(net.id)
        self.extents.pop(net.id, None)
        if not members:
            return
        components: list[list[FluidBox]] = []
        seen: set[tuple[int, int]] = set()
        for key, box in members.items():
            if key in seen:
                continue
            seen.add(key)
            comp, stack = [], [box]
            while stack:
                cur = stack.pop()
                comp.append(cur)
                for owner, index in cur.links:
                    k = (owner.oid, index)
                    if k not in seen and k in members:
                        seen.add(k)
                        stack.append(members[k])
            components.append(comp)
        capacity = sum(b.volume for b in members.values())
        amount = min(net.amount, capacity)
        flows = net.flows
        for comp in components:
            new = self.new_network(world, comp)
            share = amount * new.capacity / capacity if capacity > 0 else 0.0
            if share > EPS:
                new.amount, new.fluid, new.temperature = share, net.fluid, net.temperature
            keys = {b.key() for b in comp}
            for fkey, flow in flows.items():
                if (flow.entity.oid, fkey % 8) in keys:
                    flow.set_rate(tick, 0.0, world, net.fluid)
                    new.flows[fkey] = flow
            new.solve(world, tick)
            for flow in new.flows.values():
                replan(world, flow.entity)
        net.flows = {}

    # -- ports ------------------------------------------------------------------------------------------------

    def add_ports(self, world: World, entity: Entity, boxes: list[FluidBox]) -> None:
        s = entity.surface.index
        ports = _ports(entity)
        keys = self.owned[entity.oid] = []
        for port in ports:
            key = (s, port.x2, port.y2, port.direction)
            self.ports.setdefault(key, []).append((entity, port))
            keys.append(key)
        for port in ports:
            other = self._partner(s, entity, port)
            if other is not None:
                oe, op = other
                theirs = boxes_of(oe)
                if theirs is not None and _joins(port.flow, op.flow):
                    self.connect(world, boxes[port.box], theirs[op.box])

    def _partner(self, s: int, entity: Entity, port: _Port) -> tuple[Entity, _Port] | None:
        dx, dy = _UNIT.get(port.direction, (0, 0))
        back = _OPPOSITE.get(port.direction)
        if back is None:
            return None
        if port.type == "underground":
            for k in range(1, port.reach + 1):
                for oe, op in self.ports.get((s, port.x2 + 2 * k * dx, port.y2 + 2 * k * dy, back), ()):
                    if oe is not entity and op.type == "underground":
                        return oe, op
            return None
        for oe, op in self.ports.get((s, port.x2 + 2 * dx, port.y2 + 2 * dy, back), ()):
            if oe is not entity and op.type == "normal":
                return oe, op
        return None

    def remove_ports(self, entity: Entity) -> None:
        for key in self.owned.pop(entity.oid, ()):
            left = [(e, p) for e, p in self.ports.get(key, ()) if e is not entity]
            if left:
                self.ports[key] = left
            else:
                self.ports.pop(key, None)


def pipe_connections(world: World, entity: Entity, index: int) -> list[dict[str, Any]]:
    """Box `index`'s (0-based) pipe connections in the prototype's order: where each sits and points, and the box
    and connection it joins, if any (`LuaFluidBox.get_pipe_connections`)."""
    system = fluid_system(world)
    box = (boxes_of(entity) or [])[index]
    out: list[dict[str, Any]] = []
    for port in (p for p in _ports(entity) if p.box == index):
        dx, dy = _UNIT.get(port.direction, (0, 0))
        x, y = port.x2 / 2, port.y2 / 2
        item: dict[str, Any] = {"flow_direction": port.flow, "connection_type": port.type, "position": (x, y),
                                "target_position": (x + dx, y + dy)}
        partner = system._partner(entity.surface.index, entity, port)
        if partner is not None:
            oe, op = partner
            if port.type == "underground":
                item["target_position"] = (op.x2 / 2, op.y2 / 2)
            if any(o is oe and i == op.box for o, i in box.links):
                theirs = [(p.x2, p.y2, p.direction) for p in _ports(oe) if p.box == op.box]
                item["target"] = (oe, op.box)
                item["target_connection"] = theirs.index((op.x2, op.y2, op.direction))
        out.append(item)
    return out


def set_box_filter(world: World, box: FluidBox, name: str | None, force: bool) -> bool:
    """Set (or clear, `name` None) a box's filter. Refused (False) for a box whose prototype fixes its filter (a
    boiler's, a steam engine's: their mechanics depend on it), when another box of its network is filtered for
    another fluid, or when the network holds another fluid and `force` is not given (then that fluid is removed)."""
    spec = box_specs(box.owner.proto)[box.index]
    if spec.get("filter") is not None:
        return name == spec["filter"]
    net = box.network
    if net is None:
        box.filter = name
        return True
    system = fluid_system(world)
    others = {b.filter for b in system.members.get(net.id, {}).values() if b is not box and b.filter is not None}
    if name is not None and others - {name}:
        return False
    tick = world.tick
    if name is not None and net.fluid not in (None, name) and net.level(tick) > EPS:
        if not force:
            return False
        net.take(tick, net.level(tick))
        net.solve(world, tick)
        net.changed(world)
    box.filter = name
    net.filter = name if name is not None else next(iter(others), None)
    return True


def _pipeline_extent(world: World) -> float:
    consts = world.protos.raw.get("utility-constants", {}).get("default", {})
    return float(consts.get("default_pipeline_extent", 320))


def fluid_system(world: World) -> FluidSystem:
    """The world's fluid system, made with its first fluid box (and saved with the world from then on)."""
    system = world.__dict__.get("fluids")
    if system is None:
        system = world.fluids = FluidSystem()  # type: ignore[attr-defined]
    return system


def boxes_of(entity: Entity) -> list[FluidBox] | None:
    """The entity's fluid boxes (None for an entity without any)."""
    return getattr(entity.state, "boxes", None)


def attach_boxes(world: World, entity: Entity) -> list[FluidBox]:
    """Make the entity's boxes (each in a network of its own) and connect them to their neighbours."""
    boxes = [FluidBox(entity, i, spec) for i, spec in enumerate(box_specs(entity.proto))]
    system = fluid_system(world)
    for box in boxes:
        system.new_network(world, [box])
    return boxes


def connect_boxes(world: World, entity: Entity) -> None:
    """Join the entity's boxes to what its pipe connections face (after `entity.state.boxes` is set)."""
    boxes = boxes_of(entity)
    if boxes:
        fluid_system(world).add_ports(world, entity, boxes)


def detach_boxes(world: World, entity: Entity) -> None:
    """The entity is gone or moves: its boxes leave their networks, which may fall apart."""
    boxes = boxes_of(entity)
    if not boxes:
        return
    system = fluid_system(world)
    system.remove_ports(entity)
    touched: list[FluidNetwork] = []
    for box in boxes:
        net = box.network
        if net is None:
            continue
        net.sync(world.tick)
        for key in [k for k, f in net.flows.items() if f.entity is entity]:
            net.flows.pop(key).set_rate(world.tick, 0.0, world, net.fluid)
        system.members.get(net.id, {}).pop(box.key(), None)
        net.capacity -= box.volume
        for owner, index in box.links:
            theirs = boxes_of(owner)
            if theirs is not None and index < len(theirs):
                theirs[index].links = [(o, i) for o, i in theirs[index].links if o is not entity]
        box.links = []
        box.network = None
        if net not in touched:
            touched.append(net)
    for net in touched:
        system.split(world, net)


def box_amount(box: FluidBox, tick: int) -> float:
    """What the box holds: its share of its network's pool, by volume."""
    net = box.network
    if net is None or net.capacity <= 0 or net.fluid is None:
        return 0.0
    return net.level(tick) * box.volume / net.capacity


def insert_fluid(world: World, entity: Entity, name: str, amount: float, temperature: float) -> float:
    """`LuaEntity.insert_fluid`: into the entity's boxes that take `name`, each up to its own room."""
    left = amount
    for box in boxes_of(entity) or ():
        net = box.network
        if left <= EPS or net is None or (box.filter is not None and box.filter != name) or not net.accepts(name):
            continue
        room = box.volume - box_amount(box, world.tick)
        put = net.add(world.tick, name, min(left, room), temperature)
        if put > 0:
            left -= put
            net.solve(world, world.tick)
            net.changed(world)
    return amount - left


def remove_fluid(world: World, entity: Entity, name: str | None, amount: float) -> float:
    """Take up to `amount` of `name` (any fluid if None) out of the entity's boxes; returns what came out."""
    left = amount
    for box in boxes_of(entity) or ():
        net = box.network
        if left <= EPS or net is None or net.fluid is None or (name is not None and net.fluid != name):
            continue
        got = net.take(world.tick, min(left, box_amount(box, world.tick)))
        if got > 0:
            left -= got
            net.solve(world, world.tick)
            net.changed(world)
    return amount - left


def fluid_contents(entity: Entity, tick: int) -> dict[str, float]:
    """Fluid name -> amount in the entity's boxes."""
    out: dict[str, float] = {}
    for box in boxes_of(entity) or ():
        net = box.network
        amount = box_amount(box, tick)
        if net is not None and net.fluid is not None and amount > 0:
            out[net.fluid] = out.get(net.fluid, 0.0) + amount
    return out


def fluid_temperature(world: World, name: str) -> float:
    proto = world.protos.raw.get("fluid", {}).get(name) or {}
    return float(proto.get("default_temperature", 15))


def heat_capacity(world: World, name: str) -> float:
    """Joules to warm one unit of the fluid by one degree (the fluid prototype's `heat_capacity`)."""
    from factoryverse.engine.prototypes import parse_energy

    proto = world.protos.raw.get("fluid", {}).get(name) or {}
    return parse_energy(proto.get("heat_capacity", "1kJ"))


def rejoin(world: World, entity: Entity) -> None:
    """The entity moved or turned: its boxes leave their networks and join what they face now (fluid stays with
    the network it was in)."""
    detach_boxes(world, entity)
    system = fluid_system(world)
    for box in boxes_of(entity) or ():
        system.new_network(world, [box])
    connect_boxes(world, entity)


def flow_key(entity: Entity, box: int) -> int:
    """The key of `entity`'s flow through its box `box` in that box's network."""
    return (entity.unit_number or 0) * 8 + box


# The fluid statistics record what flows move: imported last, as it reads this module's fluid_system.
from factoryverse.engine.mechanics.fluid_statistics import fluid_statistics, fluid_statistics_now  # noqa: E402
