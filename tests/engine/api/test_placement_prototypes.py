"""Prototype members fv_placement_hints reads (fluid boxes, pole distances, drill radius, resource category) and the
placement rule it relies on for offshore pumps (`tile_buildability_rules`). Each reads the data field named."""

from __future__ import annotations

import json
import math

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.prototypes import PrototypeData, load_prototypes

from ._lua_print import run


@pytest.fixture(scope="module")
def protos() -> PrototypeData:
    return load_prototypes()


@pytest.fixture(scope="module")
def engine() -> Engine:
    e = Engine(seed=1, mods=[])
    yield e
    e.close()


def E(name: str) -> str:
    return f"prototypes.entity['{name}']"


def _json(engine: Engine, expression: str):
    return json.loads(run(engine, f"p(helpers.table_to_json({{v = {expression}}}))"))["v"]


def test_fluidbox_prototypes_give_the_pipe_connection_definitions(engine, protos):
    raw = protos.raw["mining-drill"]["electric-mining-drill"]["input_fluid_box"]["pipe_connections"]
    boxes = _json(engine, f"(function() local out = {{}} for i, b in ipairs({E('electric-mining-drill')}.fluidbox_prototypes) do "
                          "out[i] = {index = b.index, entity = b.entity.name, production_type = b.production_type, "
                          "pipe_connections = b.pipe_connections} end return out end)()")
    assert [(b["index"], b["entity"]) for b in boxes] == [(1, "electric-mining-drill")]
    connections = boxes[0]["pipe_connections"]
    assert [c["direction"] for c in connections] == [c["direction"] for c in raw]  # <drill>.input_fluid_box
    for got, want in zip(connections, raw):
        # positions: the connection point for the entity facing north, east, south and west.
        x, y = want["position"]
        assert got["positions"] == [{"x": x, "y": y}, {"x": -y, "y": x}, {"x": -x, "y": -y}, {"x": y, "y": -x}]
        assert got["connection_type"] == "normal" and got["flow_direction"] == "input-output"
    underground = _json(engine, f"{E('pipe-to-ground')}.fluidbox_prototypes[1].pipe_connections[2]")
    assert underground["connection_type"] == "underground"
    assert underground["max_underground_distance"] == protos.raw["pipe-to-ground"]["pipe-to-ground"]["fluid_box"]["pipe_connections"][1]["max_underground_distance"]
    assert _json(engine, f"#{E('wooden-chest')}.fluidbox_prototypes") == 0


def test_boiler_lists_water_then_steam(engine, protos):
    raw = protos.raw["boiler"]["boiler"]
    boxes = _json(engine, f"(function() local out = {{}} for i, b in ipairs({E('boiler')}.fluidbox_prototypes) do "
                          "out[i] = #b.pipe_connections end return out end)()")
    assert boxes == [len(raw["fluid_box"]["pipe_connections"]), len(raw["output_fluid_box"]["pipe_connections"])]


def test_pole_distances_drill_radius_and_resource_category(engine, protos):
    pole = protos.raw["electric-pole"]["medium-electric-pole"]
    assert float(run(engine, f"p({E('medium-electric-pole')}.get_supply_area_distance())")) == pole["supply_area_distance"]
    assert float(run(engine, f"p({E('medium-electric-pole')}.get_max_wire_distance('normal'))")) == pole["maximum_wire_distance"]
    assert run(engine, f"p({E('wooden-chest')}.get_supply_area_distance(), {E('wooden-chest')}.get_max_wire_distance())") == "nil\tnil"
    drill = protos.raw["mining-drill"]["electric-mining-drill"]
    assert float(run(engine, f"p({E('electric-mining-drill')}.get_mining_drill_radius())")) == drill["resource_searching_radius"]
    assert run(engine, f"p({E('wooden-chest')}.get_mining_drill_radius())") == "nil"
    assert run(engine, f"p({E('iron-ore')}.resource_category, {E('crude-oil')}.resource_category)") == "basic-solid\tbasic-fluid"
    assert run(engine, f"p({E('wooden-chest')}.resource_category)") == "nil"


def test_offshore_pump_needs_land_under_it_and_water_in_front(engine, protos):
    """offshore-pump.tile_buildability_rules: the first rule's area must be ground, the second's water."""
    surface = engine.world.surfaces["nauvis"]
    water = {(cx * 32 + i % 32, cy * 32 + i // 32) for (cx, cy), chunk in surface.chunks.items()
             for i, name in enumerate(chunk.tiles) if name in ("water", "deepwater")}
    # Facing north on land tile (x, y): the rule's water area in front overlaps tiles x-1..x+1 of rows y-2 and y-1.
    shores = sorted(((x, y + 2) for x, y in water
                     if all((x + dx, y + dy) in water for dx in (-1, 0, 1) for dy in (0, 1)) and (x, y + 2) not in water),
                    key=lambda t: (math.hypot(*t), t))

    def can_place(tx, ty, direction=0):
        return run(engine, f"p(game.surfaces.nauvis.can_place_entity{{name = 'offshore-pump', "
                           f"position = {{{tx + 0.5}, {ty + 0.5}}}, direction = {direction}}})") == "true"

    # The first such shore free of trees and rocks.
    x, y = next((sx, sy) for sx, sy in shores[:50] if can_place(sx, sy))
    assert run(engine, f"p({E('offshore-pump')}.tile_width, {E('offshore-pump')}.tile_height)") == "1\t1"
    assert not can_place(x, y + 3)  # inland: no water in front
    assert not can_place(x, y, 8)  # facing south, its front is land
    assert not can_place(x, y - 1)  # on the water itself
