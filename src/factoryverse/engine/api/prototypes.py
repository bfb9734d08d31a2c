"""`prototypes` (LuaPrototypes) and the prototype classes, read from the cached data.raw."""

from __future__ import annotations

from typing import Any

from factoryverse.engine.api._custom_table import lazy_named_table
from factoryverse.engine.api.registry import api_base, api_class
from factoryverse.engine.kinds import kind_of
from factoryverse.engine.errors import ScriptError
from factoryverse.engine.prototypes import PrototypeData, parse_energy
from factoryverse.engine.world.geometry import BBox, footprint_tiles

__all__ = ["ProtoRef", "PrototypeHandles"]

Prototypes = api_class("LuaPrototypes")
PrototypeBase = api_base("LuaPrototypeBase")
EntityProto = api_class("LuaEntityPrototype")
ItemProto = api_class("LuaItemPrototype")
RecipeProto = api_class("LuaRecipePrototype")
TileProto = api_class("LuaTilePrototype")
QualityProto = api_class("LuaQualityPrototype")
BurnerProto = api_class("LuaBurnerPrototype")


class ProtoRef:
    __slots__ = ("lua_class", "oid", "kind", "name", "data", "valid")

    def __init__(self, lua_class: str, kind: str, name: str, data: dict[str, Any]):
        self.lua_class = lua_class
        self.oid = f"proto:{kind}:{name}"
        self.kind = kind
        self.name = name
        self.data = data
        self.valid = True


_QUALITY = {"name": "normal", "type": "quality", "level": 0}


class PrototypeHandles:
    """One ProtoRef per prototype, made on first use, so identity holds across reads."""

    lua_class = "LuaPrototypes"

    def __init__(self, data: PrototypeData, oid: int):
        self.data = data
        self.oid = oid
        self.valid = True
        self._refs: dict[tuple[str, str], ProtoRef] = {}
        self._tables = {
            "entity": ("LuaEntityPrototype", data.entities),
            "item": ("LuaItemPrototype", data.items),
            "recipe": ("LuaRecipePrototype", data.recipes),
            "tile": ("LuaTilePrototype", data.tiles),
            "quality": ("LuaQualityPrototype", {"normal": _QUALITY}),
            "fluid": ("LuaFluidPrototype", data.raw.get("fluid", {})),
        }

    def get(self, kind: str, name: str) -> ProtoRef | None:
        key = (kind, name)
        ref = self._refs.get(key)
        if ref is None:
            cls, table = self._tables[kind]
            data = table.get(name)
            if data is None:
                return None
            ref = ProtoRef(cls, kind, name, data)
            self._refs[key] = ref
        return ref

    def entity(self, name: str) -> ProtoRef | None:
        return self.get("entity", name)

    def item(self, name: str) -> ProtoRef | None:
        return self.get("item", name)

    def quality(self, name: str) -> ProtoRef | None:
        return self.get("quality", name)

    def burner(self, entity: ProtoRef) -> ProtoRef | None:
        """The LuaBurnerPrototype of a burner entity prototype (one object per entity, as for the others)."""
        source = entity.data.get("energy_source") or {}
        if source.get("type") != "burner":
            return None
        key = ("burner", entity.name)
        ref = self._refs.get(key)
        if ref is None:
            ref = ProtoRef("LuaBurnerPrototype", "burner", entity.name, source)
            self._refs[key] = ref
        return ref

    def table(self, kind: str, state: Any) -> Any:
        """A Lua table whose missing keys resolve lazily: `prototypes.entity[name]` or nil."""
        cache = state.__dict__.setdefault("_proto_tables", {})
        t = cache.get(kind)
        if t is None:
            t = lazy_named_table(state, sorted(self._tables[kind][1]), lambda name: self.get(kind, name))
            cache[kind] = t
        return t


for _kind in ("entity", "item", "recipe", "tile", "quality", "fluid"):

    def _getter(state, handles, _k=_kind):
        return handles.table(_k, state)

    Prototypes.getter(_kind)(_getter)


def _d(ref: ProtoRef) -> dict[str, Any]:
    return ref.data


def _is_inserter(ref: ProtoRef) -> bool:
    return "extension_speed" in ref.data  # InserterPrototype's own field


def _is_belt(ref: ProtoRef) -> bool:
    # TransportBeltConnectable prototypes: a `speed`, and the belt collision layer the data stage gives them all.
    layers = (ref.data.get("collision_mask") or {}).get("layers") or {}
    return "speed" in ref.data and "transport_belt" in layers


# -- common ---------------------------------------------------------------------------------------------------

# LuaPrototypeBase defines them for every prototype class.
PrototypeBase.getter("name")(lambda state, ref: ref.name)
PrototypeBase.getter("type")(lambda state, ref: ref.data.get("type"))
# The data stage's PrototypeBase defaults: an order of "", not hidden, hidden in Factoriopedia when hidden.
PrototypeBase.getter("order")(lambda state, ref: str(ref.data.get("order", "")))
PrototypeBase.getter("hidden")(lambda state, ref: bool(ref.data.get("hidden", False)))
PrototypeBase.getter("hidden_in_factoriopedia")(
    lambda state, ref: bool(ref.data.get("hidden_in_factoriopedia", ref.data.get("hidden", False))))
PrototypeBase.getter("parameter")(lambda state, ref: bool(ref.data.get("parameter", False)))


def _box(value: Any) -> dict[str, Any] | None:
    if not value:
        return None
    return {"left_top": {"x": value[0][0], "y": value[0][1]}, "right_bottom": {"x": value[1][0], "y": value[1][1]}}


def _mask(value: Any) -> dict[str, Any]:
    mask = value or {"layers": {}}
    return {"layers": dict(mask.get("layers", {})), "not_colliding_with_itself": bool(mask.get("not_colliding_with_itself", False)), "consider_tile_transitions": bool(mask.get("consider_tile_transitions", False)), "colliding_with_tiles_only": bool(mask.get("colliding_with_tiles_only", False))}


# -- LuaEntityPrototype ---------------------------------------------------------------------------------------

# Values data.raw holds as they are.
for _key in ("mining_speed", "running_speed", "reach_distance", "build_distance", "reach_resource_distance"):
    EntityProto.getter(_key)(lambda state, ref, _k=_key: ref.data.get(_k))

# Category lists, which the API gives as sets ({name = true}).
for _key in ("resource_categories", "crafting_categories"):
    EntityProto.getter(_key)(
        lambda state, ref, _k=_key: None if ref.data.get(_k) is None else {c: True for c in ref.data[_k]}
    )


@EntityProto.getter("collision_box")
def _collision_box(state, ref):
    return _box(ref.data.get("collision_box")) or _box([[0, 0], [0, 0]])


@EntityProto.getter("selection_box")
def _selection_box(state, ref):
    return _box(ref.data.get("selection_box")) or _box([[0, 0], [0, 0]])


@EntityProto.getter("collision_mask")
def _collision_mask(state, ref):
    return _mask(ref.data.get("collision_mask"))


@EntityProto.getter("flags")
def _flags(state, ref):
    return {f: True for f in ref.data.get("flags") or []}


@EntityProto.getter("mineable_properties")
def _mineable_properties(state, ref):
    minable = ref.data.get("minable")
    if not minable:
        return {"minable": False}
    from factoryverse.engine.kinds.base import mined_products

    products = [{"type": "item", "name": n, "amount": c} for n, c in mined_products(ref.data)]
    return {"minable": True, "mining_time": float(minable.get("mining_time", 1)), "products": products}


@EntityProto.getter("items_to_place_this")
def _items_to_place_this(state, ref):
    items = state.engine.prototypes.items
    out = []
    for name in sorted(items):
        if items[name].get("place_result") == ref.name:
            out.append({"name": name, "count": 1})
    return out or None


def _vector(value: Any) -> list[float] | None:
    # The API's Vector is a two-element array, without the x and y keys a position has.
    return None if value is None else [float(value[0]), float(value[1])]


@EntityProto.getter("vector_to_place_result")
def _vector_to_place_result(state, ref):
    return _vector(ref.data.get("vector_to_place_result"))


@EntityProto.getter("inserter_pickup_position")
def _inserter_pickup_position(state, ref):
    return _vector(ref.data.get("pickup_position")) if _is_inserter(ref) else None


@EntityProto.getter("inserter_drop_position")
def _inserter_drop_position(state, ref):
    return _vector(ref.data.get("insert_position")) if _is_inserter(ref) else None


def _footprint(ref: ProtoRef) -> tuple[int, int]:
    b = ref.data.get("collision_box") or [[0, 0], [0, 0]]
    return footprint_tiles(BBox(b[0][0], b[0][1], b[1][0], b[1][1]))


# A prototype may declare its grid size (offshore-pump: 1x1 under a wider collision box); else the box decides.
EntityProto.getter("tile_width")(lambda state, ref: int(ref.data.get("tile_width") or _footprint(ref)[0]))
EntityProto.getter("tile_height")(lambda state, ref: int(ref.data.get("tile_height") or _footprint(ref)[1]))


@EntityProto.method("get_inventory_size")
def _get_inventory_size(state, ref, index, quality=None):
    from factoryverse.engine.api.defines import define_name

    name = define_name("inventory", index, state.api_version)
    d = ref.data
    sizes = {
        "fuel": (d.get("energy_source") or {}).get("fuel_inventory_size"),
        "chest": d.get("inventory_size"),
        "character_main": d.get("inventory_size"),
        "crafter_input": d.get("source_inventory_size"),
        "crafter_output": d.get("result_inventory_size"),
    }
    return sizes.get(name or "")


def _quality(value: Any, method: str) -> None:
    """The engine has only the normal quality, at which every `get_*(quality?)` reads the prototype as it is."""
    name = value if isinstance(value, str) or value is None else getattr(value, "name", value)
    if name not in (None, "normal"):
        raise ScriptError(f"{method}: unknown quality {value!r} (this engine has only 'normal')")


@EntityProto.method("get_crafting_speed")
def _get_crafting_speed(state, ref, quality=None):
    _quality(quality, "get_crafting_speed")
    if "crafting_categories" not in ref.data:  # crafting machines' and characters' own field
        raise ScriptError(f"Entity prototype '{ref.name}' is not a crafting machine or character.")
    # CraftingMachinePrototype.crafting_speed is required; the character's defaults to 1.
    return float(ref.data.get("crafting_speed", 1))


@EntityProto.getter("energy_usage")
def _energy_usage(state, ref):
    # The API gives energy in joules per tick; data.raw has power ("90kW").
    value = ref.data.get("energy_usage")
    return None if value is None else parse_energy(value) / 60


@EntityProto.getter("belt_speed")
def _belt_speed(state, ref):
    # Tiles per tick, as TransportBeltConnectablePrototype.speed holds it.
    speed = ref.data.get("speed")
    return float(speed) if _is_belt(ref) else None


@EntityProto.getter("max_underground_distance")
def _max_underground_distance(state, ref):
    # UndergroundBeltPrototype.max_distance; a pipe-to-ground's reach is its connections' max_underground_distance.
    if _is_belt(ref) and ref.data.get("max_distance") is not None:
        return int(ref.data["max_distance"])
    reaches = [int(c["max_underground_distance"]) for box in _fluid_boxes(ref.data)
               for c in box.get("pipe_connections") or () if c.get("max_underground_distance") is not None]
    return max(reaches) if reaches else None


def _inserter_value(key: str, method: str):
    def read(state, ref, quality=None):
        _quality(quality, method)
        return float(ref.data[key]) if _is_inserter(ref) else None

    return read


EntityProto.method("get_inserter_rotation_speed")(_inserter_value("rotation_speed", "get_inserter_rotation_speed"))
EntityProto.method("get_inserter_extension_speed")(_inserter_value("extension_speed", "get_inserter_extension_speed"))


@EntityProto.getter("inserter_stack_size_bonus")
def _inserter_stack_size_bonus(state, ref):
    return int(ref.data.get("stack_size_bonus", 0)) if _is_inserter(ref) else None


@EntityProto.getter("burner_prototype")
def _burner_prototype(state, ref):
    return state.engine_prototypes.burner(ref)


# -- LuaBurnerPrototype ---------------------------------------------------------------------------------------

BurnerProto.getter("effectivity")(lambda state, ref: float(ref.data.get("effectivity", 1)))
BurnerProto.getter("fuel_inventory_size")(lambda state, ref: int(ref.data.get("fuel_inventory_size", 0)))
BurnerProto.getter("burnt_inventory_size")(lambda state, ref: int(ref.data.get("burnt_inventory_size", 0)))
BurnerProto.getter("fuel_categories")(lambda state, ref: {c: True for c in ref.data.get("fuel_categories") or ["chemical"]})


# -- LuaItemPrototype -----------------------------------------------------------------------------------------


@ItemProto.getter("stack_size")
def _stack_size(state, ref):
    return int(ref.data.get("stack_size", 1))


@ItemProto.getter("fuel_value")
def _fuel_value(state, ref):
    v = ref.data.get("fuel_value")
    return parse_energy(v) if v else 0.0


@ItemProto.getter("fuel_category")
def _fuel_category(state, ref):
    return ref.data.get("fuel_category") if ref.data.get("fuel_value") else None


@ItemProto.getter("place_result")
def _place_result(state, ref):
    name = ref.data.get("place_result")
    return state.engine_prototypes.entity(name) if name else None


# -- LuaRecipePrototype ---------------------------------------------------------------------------------------


@RecipeProto.getter("energy")
def _energy(state, ref):
    return float(ref.data.get("energy_required", 0.5))


@RecipeProto.getter("ingredients")
def _ingredients(state, ref):
    return [{"type": i.get("type", "item"), "name": i["name"], "amount": i.get("amount", 1)} for i in ref.data.get("ingredients") or []]


@RecipeProto.getter("products")
def _products(state, ref):
    return [{"type": r.get("type", "item"), "name": r["name"], "amount": r.get("amount", 1)} for r in ref.data.get("results") or []]


# -- LuaTilePrototype -----------------------------------------------------------------------------------------


@TileProto.getter("collision_mask")
def _tile_collision_mask(state, ref):
    return _mask(ref.data.get("collision_mask"))


@QualityProto.getter("level")
def _quality_level(state, ref):
    return 0


# -- fluid boxes, electric poles, mining drills and resources (read by fv_placement_hints) --------------------

FluidBoxProto = api_class("LuaFluidBoxPrototype")

# The data stage's fluid box fields, in the order fluidbox_prototypes lists them (index 1, 2, ...).
_FLUID_BOX_FIELDS = ("fluid_box", "input_fluid_box", "output_fluid_box")


def _fluid_boxes(data: dict[str, Any]) -> list[dict[str, Any]]:
    boxes = [data[k] for k in _FLUID_BOX_FIELDS if isinstance(data.get(k), dict)]
    boxes += [b for b in data.get("fluid_boxes") or [] if isinstance(b, dict)]
    source = data.get("energy_source") or {}
    if source.get("type") == "fluid" and isinstance(source.get("fluid_box"), dict):
        boxes.append(source["fluid_box"])
    return boxes


@EntityProto.getter("fluidbox_prototypes")
def _fluidbox_prototypes(state, ref):
    handles = state.engine_prototypes
    out = []
    for i, box in enumerate(_fluid_boxes(ref.data), start=1):
        key = ("fluidbox", f"{ref.name}#{i}")
        proto = handles._refs.get(key)
        if proto is None:
            proto = ProtoRef("LuaFluidBoxPrototype", "fluidbox", f"{ref.name}#{i}", {"box": box, "index": i, "entity": ref})
            handles._refs[key] = proto
        out.append(proto)
    return out


def _connection(conn: dict[str, Any]) -> dict[str, Any]:
    """A PipeConnectionDefinition: the data stage gives one `position` for the north-facing entity (or all four as
    `positions`); the runtime gives the four, north, east, south, west."""
    from factoryverse.engine.world.geometry import rotate_vector

    if conn.get("positions"):
        positions = [tuple(p) for p in conn["positions"]]
    else:
        base = tuple(conn.get("position") or (0, 0))
        positions = [rotate_vector(base, quarter * 4) for quarter in range(4)]
    out: dict[str, Any] = {
        "connection_type": conn.get("connection_type", "normal"),
        "flow_direction": conn.get("flow_direction", "input-output"),
        "direction": int(conn.get("direction", 0)),
        "positions": [{"x": float(x), "y": float(y)} for x, y in positions],
    }
    if conn.get("max_underground_distance") is not None:
        out["max_underground_distance"] = int(conn["max_underground_distance"])
    return out


FluidBoxProto.getter("pipe_connections")(lambda state, ref: [_connection(c) for c in ref.data["box"].get("pipe_connections") or []])
FluidBoxProto.getter("production_type")(lambda state, ref: ref.data["box"].get("production_type", "none"))
FluidBoxProto.getter("index")(lambda state, ref: ref.data["index"])
FluidBoxProto.getter("entity")(lambda state, ref: ref.data["entity"])
FluidBoxProto.getter("filter")(lambda state, ref: state.engine_prototypes.get("fluid", ref.data["box"]["filter"])
                               if ref.data["box"].get("filter") else None)
FluidBoxProto.getter("minimum_temperature")(lambda state, ref: ref.data["box"].get("minimum_temperature"))
FluidBoxProto.getter("maximum_temperature")(lambda state, ref: ref.data["box"].get("maximum_temperature"))
FluidBoxProto.getter("volume", versioned=True)(lambda state, ref: float(ref.data["box"].get("volume", 0) or 0))
FluidBoxProto.method("get_volume", versioned=True)(lambda state, ref, quality=None: float(ref.data["box"].get("volume", 0) or 0))


def _distance_method(key: str, method: str):
    def read(state, ref, quality=None):
        _quality(quality, method)
        value = ref.data.get(key)
        return None if value is None else float(value)

    return read


# ElectricPolePrototype's own fields; nil for other types, as the API documents.
EntityProto.method("get_supply_area_distance")(_distance_method("supply_area_distance", "get_supply_area_distance"))
EntityProto.method("get_max_wire_distance")(_distance_method("maximum_wire_distance", "get_max_wire_distance"))


@EntityProto.method("get_mining_drill_radius")
def _get_mining_drill_radius(state, ref, quality=None):
    _quality(quality, "get_mining_drill_radius")
    radius = ref.data.get("resource_searching_radius")  # MiningDrillPrototype requires it; nothing else has it
    return None if radius is None else float(radius)


@EntityProto.getter("resource_category")
def _resource_category(state, ref):
    if not kind_of(ref.data.get("type", "")).has_amount:  # only resources have a resource category
        return None
    return ref.data.get("category", "basic-solid")  # ResourceEntityPrototype.category's default


# -- power, steam, labs and radars (read by the conformance suite) ----------------------------------------------

ElectricSourceProto = api_class("LuaElectricEnergySourcePrototype")
FluidProto = api_class("LuaFluidPrototype")


def _per_tick(value: Any) -> float:
    """A power string ("1.8MW") in the API's unit, joules per tick."""
    return parse_energy(value) / 60


def _field_method(own_field: str, method: str, compute):
    """`method(quality?)`: `compute(state, data)` for the prototypes that have `own_field` (a field only the
    prototype types the API documents the member for have), nil for the others."""

    def read(state, ref, quality=None):
        _quality(quality, method)
        return compute(state, ref.data) if own_field in ref.data else None

    return read


# Each reads the field named, which only the types the API documents the member for have (pumping_speed: pumps;
# target_temperature: boilers; maximum_temperature, fluid_usage_per_tick: generators; inputs: labs;
# max_distance_of_sector_revealed: radars).
EntityProto.method("get_pumping_speed")(_field_method("pumping_speed", "get_pumping_speed", lambda state, d: float(d["pumping_speed"])))
EntityProto.getter("target_temperature")(lambda state, ref: _float_field(ref, "target_temperature"))
EntityProto.getter("maximum_temperature")(lambda state, ref: _float_field(ref, "maximum_temperature"))
# GeneratorPrototype.effectivity defaults to 1 (a burner's own effectivity is LuaBurnerPrototype's).
EntityProto.getter("effectivity")(
    lambda state, ref: float(ref.data.get("effectivity", 1)) if "fluid_usage_per_tick" in ref.data or "effectivity" in ref.data else None)
EntityProto.method("get_fluid_usage_per_tick")(
    _field_method("fluid_usage_per_tick", "get_fluid_usage_per_tick", lambda state, d: float(d["fluid_usage_per_tick"])))
# LabPrototype.researching_speed defaults to 1; `inputs` is the lab's own required field.
EntityProto.method("get_researching_speed")(
    _field_method("inputs", "get_researching_speed", lambda state, d: float(d.get("researching_speed", 1))))
EntityProto.getter("lab_inputs")(lambda state, ref: list(ref.data["inputs"]) if "inputs" in ref.data else None)
EntityProto.method("get_max_distance_of_nearby_sector_revealed")(_field_method(
    "max_distance_of_nearby_sector_revealed", "get_max_distance_of_nearby_sector_revealed",
    lambda state, d: int(d["max_distance_of_nearby_sector_revealed"])))
EntityProto.method("get_max_distance_of_sector_revealed")(_field_method(
    "max_distance_of_sector_revealed", "get_max_distance_of_sector_revealed",
    lambda state, d: int(d["max_distance_of_sector_revealed"])))
# Only 2.1 has these two (2.0 keeps them in the data stage): a 2.0 server's scripts don't see them.
EntityProto.getter("energy_per_nearby_scan", versioned=True)(lambda state, ref: _energy_field(ref, "energy_per_nearby_scan"))
EntityProto.getter("energy_per_sector", versioned=True)(lambda state, ref: _energy_field(ref, "energy_per_sector"))


def _float_field(ref: ProtoRef, key: str) -> float | None:
    return float(ref.data[key]) if key in ref.data else None


def _energy_field(ref: ProtoRef, key: str) -> float | None:
    return parse_energy(ref.data[key]) if key in ref.data else None


def _generator_power(state, d: dict[str, Any]) -> float:
    """A steam engine's most per tick: fluid_usage_per_tick units cooled from maximum_temperature to the fluid's
    default temperature, at the fluid's heat capacity, times effectivity (the data stage gives no max_power_output)."""
    if d.get("max_power_output") is not None:
        return _per_tick(d["max_power_output"])
    fluid = state.engine.prototypes.raw["fluid"][d["fluid_box"]["filter"]]
    drop = float(d["maximum_temperature"]) - float(fluid["default_temperature"])
    return float(d["fluid_usage_per_tick"]) * drop * parse_energy(fluid["heat_capacity"]) * float(d.get("effectivity", 1))


EntityProto.method("get_max_power_output")(_field_method("fluid_usage_per_tick", "get_max_power_output", _generator_power))


@EntityProto.method("get_max_energy_production")
def _get_max_energy_production(state, ref, quality=None):
    # Joules per tick at best: a solar panel in full daylight, a generator at its fluid usage, an interface's own.
    _quality(quality, "get_max_energy_production")
    d = ref.data
    if "fluid_usage_per_tick" in d:  # a generator
        return _generator_power(state, d)
    value = d.get("production") or d.get("energy_production") or d.get("max_power_output")
    return _per_tick(value) if value else 0.0


@EntityProto.method("get_max_energy_usage")
def _get_max_energy_usage(state, ref, quality=None):
    # A boiler's is energy_consumption; machines' energy_usage. Joules per tick; 0 for what uses none.
    _quality(quality, "get_max_energy_usage")
    value = ref.data.get("energy_consumption") or ref.data.get("energy_usage")
    return _per_tick(value) if value else 0.0


def _fluid_capacity(state, ref, quality=None):
    _quality(quality, "get_fluid_capacity")
    return float(sum(float(box.get("volume", 0)) for box in _fluid_boxes(ref.data)))


EntityProto.getter("fluid_capacity")(lambda state, ref: _fluid_capacity(state, ref))
EntityProto.method("get_fluid_capacity")(_fluid_capacity)


@EntityProto.getter("electric_energy_source_prototype")
def _electric_energy_source_prototype(state, ref):
    source = ref.data.get("energy_source") or {}
    if source.get("type") != "electric":
        return None
    handles = state.engine_prototypes
    key = ("electric-source", ref.name)
    proto = handles._refs.get(key)
    if proto is None:
        proto = handles._refs[key] = ProtoRef("LuaElectricEnergySourcePrototype", "electric-source", ref.name, source)
    return proto


def _source_power(key: str, method: str):
    def read(state, ref, quality=None):
        _quality(quality, method)
        value = ref.data.get(key)
        return None if value is None else _per_tick(value)

    return read


ElectricSourceProto.getter("buffer_capacity")(
    lambda state, ref: parse_energy(ref.data["buffer_capacity"]) if ref.data.get("buffer_capacity") else 0.0)
ElectricSourceProto.getter("usage_priority")(lambda state, ref: ref.data.get("usage_priority"))
ElectricSourceProto.getter("drain")(lambda state, ref: _per_tick(ref.data.get("drain") or 0))
ElectricSourceProto.method("get_input_flow_limit")(_source_power("input_flow_limit", "get_input_flow_limit"))
ElectricSourceProto.method("get_output_flow_limit")(_source_power("output_flow_limit", "get_output_flow_limit"))

FluidProto.getter("default_temperature")(lambda state, ref: float(ref.data["default_temperature"]))
FluidProto.getter("max_temperature")(lambda state, ref: float(ref.data.get("max_temperature", ref.data["default_temperature"])))
# Joules to heat one unit by one degree ("0.2kJ" for steam).
FluidProto.getter("heat_capacity")(lambda state, ref: parse_energy(ref.data.get("heat_capacity", "1kJ")))
