"""fv_placement_hints on the embedded engine: every method of the `placement_hints` interface, its documented
failures and a bad call, on each Factorio version (the `engine` fixture of conftest.py).

Answers are checked against the game itself: what the mod calls valid, LuaSurface.can_place_entity accepts; the drop
and pickup positions it predicts are the ones LuaEntity reports once the entity is built.
"""

from __future__ import annotations

import json
import math

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.schemas import load_remote_interfaces


def _lua(value) -> str:
    """A Python value as a Lua literal (dicts as tables, lists as arrays)."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{json.dumps(k)}] = {_lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "{" + ", ".join(_lua(v) for v in value) + "}"
    raise TypeError(value)


def _call(engine: Engine, method: str, *args) -> dict:
    lua_args = "".join(", " + _lua(a) for a in args)
    reply = engine.execute_command(
        f"/sc rcon.print(helpers.table_to_json(remote.call('placement_hints', '{method}'{lua_args})))"
    )
    assert not reply.startswith("Cannot execute"), reply
    return json.loads(reply)


def _fails(engine: Engine, method: str, *args) -> str:
    lua_args = "".join(", " + _lua(a) for a in args)
    reply = engine.execute_command(f"/sc remote.call('placement_hints', '{method}'{lua_args})")
    assert "[fv:" in reply, reply
    return reply


def _eval(engine: Engine, expression: str):
    return json.loads(engine.execute_command(f"/sc rcon.print(helpers.table_to_json({{v = {expression}}}))"))["v"]


def _can_place(engine: Engine, name: str, position: dict, direction: int = 0) -> bool:
    return engine.execute_command(
        f"/sc rcon.print(game.surfaces.nauvis.can_place_entity{{name = {_lua(name)}, position = {_lua(position)}, "
        f"direction = {direction}, force = 'player'}})"
    ) == "true"


def _build(engine: Engine, name: str, position: dict, direction: int = 0) -> dict:
    return _eval(engine, f"(function() local e = game.surfaces.nauvis.create_entity{{name = {_lua(name)}, "
                         f"position = {_lua(position)}, direction = {direction}, force = 'player'}} "
                         "return {x = e.position.x, y = e.position.y} end)()")


def _tile_of(engine: Engine, name: str, near=(0, 0)) -> tuple[int, int]:
    tiles = [k for k, e in engine.world.surfaces["nauvis"].resources_at.items() if e.name == name]
    return min(tiles, key=lambda t: (math.hypot(t[0] - near[0], t[1] - near[1]), t))


def _area(x: float, y: float, half: float) -> list:
    return [[x - half, y - half], [x + half, y + half]]


def _clear_spot(engine: Engine, name: str = "assembling-machine-1") -> dict:
    """A position near the origin where a 3x3 machine and everything around it fits."""
    found = _call(engine, "get_valid_placements", name, _area(0, 0, 16), {"max_results": 1000})["positions"]
    for spot in found:
        if all(_can_place(engine, name, {"x": spot["x"] + dx, "y": spot["y"] + dy}) for dx in (-4, 4) for dy in (-4, 4)):
            return spot
    raise AssertionError("no clear spot near the origin")


# -- the interface as a whole ----------------------------------------------------------------------------------


def test_describe_matches_the_contract_parameter_by_parameter(engine):
    described = _call(engine, "describe")
    contract = load_remote_interfaces()["interfaces"]["placement_hints"]["methods"]
    methods = {m["name"]: m for m in described["methods"]}
    assert set(methods) == set(contract)
    assert len(contract) == 14  # the seed's twelve, version() and describe()
    for name, spec in contract.items():
        params = methods[name]["params"] or []  # table_to_json writes an empty table as []
        assert [p["name"] for p in params] == [p["name"] for p in spec["params"]], name
        for got, want in zip(params, spec["params"]):
            for key in ("type", "optional", "default", "min", "max"):
                assert (got.get(key) or None) == (want.get(key) or None), (name, got["name"], key)
        assert (methods[name]["errors"] or []) == spec["errors"], name
    assert _call(engine, "version") == {"interface": "placement_hints", "schema_version": 1, "mod_version": "0.2.0"}


def test_too_many_arguments_and_unknown_named_parameters_are_refused(engine):
    assert "at most 3 arguments" in _fails(engine, "validate_placement", "wooden-chest", {"x": 0, "y": 0}, 0, 1)
    reply = _fails(engine, "validate_placement", {"entity_name": "wooden-chest", "positon": {"x": 0, "y": 0}})
    assert "[fv:invalid_argument]" in reply and "no parameter \"positon\"" in reply


# -- validation ---------------------------------------------------------------------------------------------------


def test_validate_placement_answers_as_can_place_entity_and_names_blockers(engine):
    spot = _clear_spot(engine)
    assert _call(engine, "validate_placement", "wooden-chest", spot)["valid"] is True
    # The seed's call form, and one table of named parameters.
    named = _call(engine, "validate_placement", {"entity_name": "wooden-chest", "position": spot})
    assert named == {"valid": True, "entity_name": "wooden-chest", "position": spot}
    _build(engine, "wooden-chest", spot)
    blocked = _call(engine, "validate_placement", "stone-furnace", spot)
    assert blocked["valid"] is False and blocked["reason"] == "blocked"
    assert {"name": "wooden-chest", "position": spot} in blocked["blockers"]
    assert _can_place(engine, "stone-furnace", spot) is False


def test_validate_placement_failures(engine):
    unknown = _call(engine, "validate_placement", "no-such-thing", {"x": 0, "y": 0})
    assert unknown == {"valid": False, "entity_name": "no-such-thing", "position": {"x": 0, "y": 0},
                       "reason": "unknown_entity"}
    assert "position must be a position" in _fails(engine, "validate_placement", "wooden-chest", "here")
    assert "outside the map" in _fails(engine, "validate_placement", "wooden-chest", {"x": 2e6, "y": 0})
    assert "direction must be between 0 and 15" in _fails(engine, "validate_placement", "wooden-chest", {"x": 0, "y": 0}, 16)


def test_validate_positions_checks_each_position(engine):
    spot = _clear_spot(engine)
    _build(engine, "wooden-chest", spot)
    free = {"x": spot["x"] + 2, "y": spot["y"]}
    result = _call(engine, "validate_positions", "wooden-chest", [spot, free])
    assert [r["valid"] for r in result["results"]] == [False, True]
    assert result["valid_count"] == 1
    assert "positions must hold 1 to 1000 entries" in _fails(engine, "validate_positions", "wooden-chest", {})
    assert "positions[2] must be a position" in _fails(engine, "validate_positions", "wooden-chest", [spot, 7])


# -- area scans ---------------------------------------------------------------------------------------------------


def test_get_valid_placements_lists_grid_positions_the_game_accepts(engine):
    spot = _clear_spot(engine)
    _build(engine, "wooden-chest", spot)
    area = _area(spot["x"], spot["y"], 3)
    found = _call(engine, "get_valid_placements", "stone-furnace", area, {"max_results": 1000})
    assert found["count"] == len(found["positions"]) > 0 and found["truncated"] is False
    for position in found["positions"]:
        assert _can_place(engine, "stone-furnace", position)
        assert position["x"] % 1 == 0 and position["y"] % 1 == 0  # a 2x2 furnace stands on tile corners
        # On the tiles the area touches: [-12.5, -6.5] touches tiles -13..-7.
        assert math.floor(area[0][0]) + 1 <= position["x"] <= math.ceil(area[1][0]) - 1
    # Every furnace position covering the chest's tile is missing.
    assert not any(abs(p["x"] - spot["x"]) < 1 and abs(p["y"] - spot["y"]) < 1 for p in found["positions"])
    few = _call(engine, "get_valid_placements", "stone-furnace", area, {"max_results": 2})
    assert few["count"] == 2 and few["truncated"] is True


def test_get_valid_placements_failures(engine):
    assert "[fv:unknown_entity]" in _fails(engine, "get_valid_placements", "no-such-thing", _area(0, 0, 2))
    assert "at most 4096 per call" in _fails(engine, "get_valid_placements", "wooden-chest", _area(0, 0, 40))
    assert "right_bottom below and right of left_top" in _fails(engine, "get_valid_placements", "wooden-chest", [[2, 2], [0, 0]])
    assert 'options has no field "max_result"' in _fails(engine, "get_valid_placements", "wooden-chest", _area(0, 0, 2), {"max_result": 1})
    assert "options.max_results must be between 1 and 1000" in _fails(
        engine, "get_valid_placements", "wooden-chest", _area(0, 0, 2), {"max_results": 0})


def test_get_resource_placements_puts_drills_fully_over_ore(engine):
    tx, ty = _tile_of(engine, "iron-ore")
    radius = engine.prototypes.raw["mining-drill"]["burner-mining-drill"]["resource_searching_radius"]
    found = _call(engine, "get_resource_placements", "burner-mining-drill", _area(tx, ty, 12),
                  {"resource_name": "iron-ore", "max_results": 20})
    assert found["mining_radius"] == radius and found["count"] > 0
    ores = engine.world.surfaces["nauvis"].resources_at
    for placement in found["placements"]:
        x, y = placement["position"]["x"], placement["position"]["y"]
        tiles = [(a, b) for a in range(math.floor(x - radius), math.ceil(x + radius))
                 for b in range(math.floor(y - radius), math.ceil(y + radius))
                 if abs(a + 0.5 - x) <= radius and abs(b + 0.5 - y) <= radius]
        assert placement["tiles"] == len(tiles) == 4  # burner-mining-drill.resource_searching_radius 0.99: 2x2
        assert all(ores.get(t) is not None and ores[t].name == "iron-ore" for t in tiles)
        assert placement["resources"]["iron-ore"] == sum(ores[t].amount for t in tiles)
        assert _can_place(engine, "burner-mining-drill", placement["position"])


def test_get_resource_placements_failures(engine):
    area = _area(0, 0, 4)
    assert "entity_name must name a mining drill" in _fails(engine, "get_resource_placements", "wooden-chest", area)
    assert "cannot mine crude-oil" in _fails(engine, "get_resource_placements", "burner-mining-drill", area,
                                             {"resource_name": "crude-oil"})
    assert "options.resource_name must name a resource" in _fails(engine, "get_resource_placements", "burner-mining-drill",
                                                                  area, {"resource_name": "wooden-chest"})
    assert "[fv:unknown_entity] options.resource_name" in _fails(engine, "get_resource_placements", "burner-mining-drill",
                                                                 area, {"resource_name": "unobtainium"})


def _water_tile(engine: Engine) -> tuple[int, int]:
    surface = engine.world.surfaces["nauvis"]
    return min(((cx * 32 + i % 32, cy * 32 + i // 32) for (cx, cy), chunk in surface.chunks.items()
                for i, name in enumerate(chunk.tiles) if name == "water"), key=lambda t: (math.hypot(*t), t))


def test_get_water_placements_finds_offshore_pump_spots_the_game_accepts(engine):
    wx, wy = _water_tile(engine)
    found = _call(engine, "get_water_placements", "offshore-pump", _area(wx, wy, 20), {"max_results": 10})
    assert found["count"] > 0
    for placement in found["placements"]:
        assert _can_place(engine, "offshore-pump", placement["position"], placement["direction"])
    # Far from water, an offshore pump fits nowhere (its tile_buildability_rules need water in front).
    spot = _clear_spot(engine)
    dry = _call(engine, "get_water_placements", "offshore-pump", _area(spot["x"], spot["y"], 3))
    assert dry["count"] == 0 and not _can_place(engine, "offshore-pump", spot)


def test_get_water_placements_failures(engine):
    assert "[fv:unknown_entity]" in _fails(engine, "get_water_placements", "no-pump", _area(0, 0, 2))
    assert "area must be an area" in _fails(engine, "get_water_placements", "offshore-pump", 5)


# -- connection solving ---------------------------------------------------------------------------------------------


def test_get_item_drop_connections_for_a_planned_drill_uses_vector_to_place_result(engine):
    tx, ty = _tile_of(engine, "iron-ore")
    drill = _call(engine, "get_resource_placements", "burner-mining-drill", _area(tx, ty, 12),
                  {"resource_name": "iron-ore", "max_results": 1})["placements"][0]["position"]
    vector = engine.prototypes.raw["mining-drill"]["burner-mining-drill"]["vector_to_place_result"]
    found = _call(engine, "get_item_drop_connections", "burner-mining-drill", drill, "wooden-chest", {"direction": 0})
    assert found["built"] is False and found["count"] >= 1
    hit = found["connections"][0]
    assert hit["drop_position"] == pytest.approx({"x": drill["x"] + vector[0], "y": drill["y"] + vector[1]})
    # Build both: the drill's own drop_position is the predicted one, and it lands in the chest.
    _build(engine, "burner-mining-drill", drill)
    assert _eval(engine, f"game.surfaces.nauvis.find_entity('burner-mining-drill', {_lua(drill)}).drop_position") == \
        pytest.approx(hit["drop_position"])
    _build(engine, "wooden-chest", hit["position"])
    built = _call(engine, "get_item_drop_connections", "burner-mining-drill", drill, "wooden-chest")
    assert built["built"] is True and built["connections"][0]["valid"] is False
    assert built["connections"][0]["occupied_by"]["name"] == "wooden-chest"
    output = _call(engine, "get_entity_output_info", "burner-mining-drill", drill)
    assert output["drop_position"] == pytest.approx(hit["drop_position"])
    assert output["drop_into"] == {"name": "wooden-chest", "position": hit["position"]}
    assert output["mining_target"]["name"] == "iron-ore"


def test_get_item_drop_connections_failures(engine):
    assert "puts no items at a drop position" in _fails(engine, "get_item_drop_connections", "wooden-chest",
                                                        {"x": 0.5, "y": 0.5}, "iron-chest")
    assert "[fv:unknown_entity] target_name" in _fails(engine, "get_item_drop_connections", "burner-mining-drill",
                                                       {"x": 0, "y": 0}, "no-chest")
    assert "target_name must be a non-empty string" in _fails(engine, "get_item_drop_connections",
                                                              "burner-mining-drill", {"x": 0, "y": 0}, 3)


def test_get_fluid_connections_meet_the_prototypes_connection_points(engine):
    spot = _clear_spot(engine)
    found = _call(engine, "get_fluid_connections", "electric-mining-drill", spot, "pipe", {"target_direction": 0})
    raw = engine.prototypes.raw["mining-drill"]["electric-mining-drill"]["input_fluid_box"]["pipe_connections"]
    assert found["count"] == len(raw) == 3
    for connection in found["connections"]:
        assert connection["valid"] is True
        pipe = _call(engine, "get_fluid_connection_points", "pipe", connection["position"], connection["direction"])
        # The pipe has a connection on the source's target tile, pointing back at the source's connection.
        assert any(p["position"] == connection["target_connection"]["position"]
                   and p["target_position"] == connection["source_connection"]["position"] for p in pipe["points"])
    # A pipe built on one of those spots makes it invalid.
    first = found["connections"][0]
    _build(engine, "pipe", first["position"])
    again = _call(engine, "get_fluid_connections", "electric-mining-drill", spot, "pipe", {"target_direction": 0})
    assert [c["valid"] for c in again["connections"]].count(False) == 1


def test_get_fluid_connections_failures(engine):
    assert "has no fluid box connections" in _fails(engine, "get_fluid_connections", "wooden-chest", {"x": 0, "y": 0}, "pipe")
    assert "[fv:unknown_entity] target_name" in _fails(engine, "get_fluid_connections", "pipe", {"x": 0, "y": 0}, "no-pipe")
    assert "options.target_direction must be an integer" in _fails(engine, "get_fluid_connections", "pipe",
                                                                   {"x": 0, "y": 0}, "pipe", {"target_direction": "up"})


def test_get_inserter_placements_predict_the_built_inserters_hand(engine):
    spot = _clear_spot(engine)
    _build(engine, "wooden-chest", spot)
    found = _call(engine, "get_inserter_placements", "inserter", "wooden-chest", spot, {"role": "pickup"})
    assert found["count"] == 4  # one beside each side of a 1x1 chest, facing away
    box = _eval(engine, f"game.surfaces.nauvis.find_entity('wooden-chest', {_lua(spot)}).bounding_box")
    for placement in found["placements"]:
        p = placement["pickup_position"]
        assert box["left_top"]["x"] <= p["x"] <= box["right_bottom"]["x"]
        assert box["left_top"]["y"] <= p["y"] <= box["right_bottom"]["y"]
    first = found["placements"][0]
    _build(engine, "inserter", first["position"], first["direction"])
    reads = _call(engine, "get_entity_output_info", "inserter", first["position"])
    assert reads["pickup_position"] == pytest.approx(first["pickup_position"])
    assert reads["drop_position"] == pytest.approx(first["drop_position"])
    both = _call(engine, "get_inserter_placements", "inserter", "wooden-chest", spot)
    assert {p["role"] for p in both["placements"]} == {"pickup", "drop"} and both["count"] == 6  # 3 sides left, both roles


def test_get_inserter_placements_failures(engine):
    spot = _clear_spot(engine)
    assert "inserter_name must name an inserter" in _fails(engine, "get_inserter_placements", "wooden-chest", "wooden-chest", spot)
    assert "[fv:entity_not_found] entity_name: no wooden-chest" in _fails(engine, "get_inserter_placements", "inserter",
                                                                         "wooden-chest", spot)
    assert "options.role must be one of pickup, drop" in _fails(engine, "get_inserter_placements", "inserter",
                                                                "wooden-chest", spot, {"role": "both"})


def test_get_pole_connections_reach_a_network_and_cover_the_entity(engine):
    spot = _clear_spot(engine)
    machine = _build(engine, "assembling-machine-1", spot)
    pole_at = {"x": spot["x"] + 7, "y": spot["y"]}
    _build(engine, "small-electric-pole", pole_at)
    raw = engine.prototypes.raw["electric-pole"]["small-electric-pole"]
    found = _call(engine, "get_pole_connections", "small-electric-pole", "assembling-machine-1", machine)
    assert found["supply_area_distance"] == raw["supply_area_distance"]
    assert found["max_wire_distance"] == raw["maximum_wire_distance"]
    assert found["count"] > 0
    for placement in found["placements"]:
        x, y = placement["position"]["x"], placement["position"]["y"]
        assert placement["connects_to"] and all(c["distance"] <= raw["maximum_wire_distance"] for c in placement["connects_to"])
        # Its supply area overlaps the machine's collision box (assembling-machine-1: 3x3 around the centre).
        assert abs(x - machine["x"]) < 1.5 + raw["supply_area_distance"] and abs(y - machine["y"]) < 1.5 + raw["supply_area_distance"]
        assert _can_place(engine, "small-electric-pole", placement["position"])
    anywhere = _call(engine, "get_pole_connections", "small-electric-pole", "assembling-machine-1", machine,
                     {"require_network": False, "max_results": 1000})
    assert anywhere["count"] > found["count"]


def test_get_pole_connections_failures(engine):
    spot = _clear_spot(engine)
    assert "pole_name must name an electric pole" in _fails(engine, "get_pole_connections", "wooden-chest", "wooden-chest", spot)
    assert "[fv:entity_not_found]" in _fails(engine, "get_pole_connections", "small-electric-pole", "wooden-chest", spot)
    assert "options.require_network must be true or false" in _fails(
        engine, "get_pole_connections", "small-electric-pole", "wooden-chest", spot, {"require_network": "yes"})


# -- entity info ----------------------------------------------------------------------------------------------------


def test_get_entity_output_info_failures(engine):
    assert "[fv:entity_not_found]" in _fails(engine, "get_entity_output_info", "wooden-chest", {"x": 0.5, "y": 0.5})
    assert "[fv:unknown_entity]" in _fails(engine, "get_entity_output_info", "no-such-thing", {"x": 0.5, "y": 0.5})
    assert "position is required" in _fails(engine, "get_entity_output_info", "wooden-chest")


def test_get_fluid_connection_points_turn_with_the_entity(engine):
    north = _call(engine, "get_fluid_connection_points", "offshore-pump")
    raw = engine.prototypes.raw["offshore-pump"]["offshore-pump"]["fluid_box"]["pipe_connections"]
    assert north["relative"] is True and north["count"] == len(raw) == 1
    point = north["points"][0]
    assert point["direction"] == raw[0]["direction"] and point["flow_direction"] == raw[0]["flow_direction"]
    east = _call(engine, "get_fluid_connection_points", "offshore-pump", {"x": 10.5, "y": 0.5}, 4)
    assert east["points"][0]["direction"] == (raw[0]["direction"] + 4) % 16
    assert _call(engine, "get_fluid_connection_points", "wooden-chest")["count"] == 0
    assert "[fv:unknown_entity]" in _fails(engine, "get_fluid_connection_points", "no-such-thing")
    assert "direction must be between 0 and 15" in _fails(engine, "get_fluid_connection_points", "pipe", None, -1)


def test_get_entity_footprint(engine):
    furnace = _call(engine, "get_entity_footprint", "stone-furnace", {"x": 1, "y": 1})
    assert (furnace["tile_width"], furnace["tile_height"]) == (2, 2)
    assert furnace["tiles"] == [{"x": 0, "y": 0}, {"x": 1, "y": 0}, {"x": 0, "y": 1}, {"x": 1, "y": 1}]
    box = engine.prototypes.raw["furnace"]["stone-furnace"]["collision_box"]
    assert furnace["collision_box"]["left_top"] == pytest.approx({"x": 1 + box[0][0], "y": 1 + box[0][1]})
    boiler = _call(engine, "get_entity_footprint", "boiler", None, 4)  # 3x2, turned east: 2x3
    assert (boiler["tile_width"], boiler["tile_height"]) == (2, 3) and "tiles" not in boiler
    assert "[fv:unknown_entity]" in _fails(engine, "get_entity_footprint", "no-such-thing")
    assert "position must be a position" in _fails(engine, "get_entity_footprint", "boiler", "here")
