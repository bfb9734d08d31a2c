"""The mods running on the embedded engine: rates taken from the prototype data, deltas, placement hints.

UDP completions are read from a real socket; game time is counted in ticks, so nothing here depends on the clock.
Every test runs on each Factorio version (the `engine` fixture of conftest.py), with that version's prototype data.
"""

from __future__ import annotations

import json
import math
import socket


from factoryverse.engine.engine import Engine


def _call(engine: Engine, interface: str, method: str, *lua_args: str) -> dict:
    args = ", ".join(lua_args)
    reply = engine.execute_command(
        f"/sc rcon.print(helpers.table_to_json(remote.call('{interface}', '{method}'{', ' + args if args else ''})))"
    )
    assert not reply.startswith("Cannot execute"), reply
    return json.loads(reply)


def _completion(engine: Engine, sock: socket.socket, max_ticks: int) -> dict:
    """Step the game until the agent's action_completed datagram arrives (bounded in ticks)."""
    for _ in range(max_ticks):
        try:
            return json.loads(sock.recv(65536))
        except BlockingIOError:
            engine.step()
    raise AssertionError(f"no completion within {max_ticks} ticks")


def _nearest_tile(engine: Engine, name: str, x: float, y: float) -> tuple[int, int]:
    tiles = [k for k, e in engine.world.surfaces["nauvis"].resources_at.items() if e.name == name]
    return min(tiles, key=lambda t: (math.hypot(t[0] + 0.5 - x, t[1] + 0.5 - y), t))


def test_hand_mining_takes_mining_time_over_character_mining_speed(engine, udp):
    """Ticks per ore = iron-ore.minable.mining_time / character.mining_speed * 60."""
    protos = engine.prototypes
    per_item = protos.raw["resource"]["iron-ore"]["minable"]["mining_time"] / protos.raw["character"]["character"]["mining_speed"] * 60
    tx, ty = _nearest_tile(engine, "iron-ore", 0, 0)
    agent = _call(engine, "agent", "create_agent", str(udp.getsockname()[1]), f"{{position = {{x = {tx + 0.5}, y = {ty + 1.5}}}}}")
    iface = agent["interface_name"]
    started = _call(engine, iface, "mine_resource", "'iron-ore'", "3")
    start_tick = engine.tick
    done = _completion(engine, udp, max_ticks=2000)
    assert done["type"] == "action_completed" and done["success"] is True, done
    assert done["action_id"] == started["action_id"]
    assert done["result"] == {"item": "iron-ore", "count": 3}
    assert abs((done["tick"] - start_tick) - 3 * per_item) <= 2
    assert _call(engine, iface, "get_inventory_items") == {"iron-ore": 3}


def test_walking_takes_path_length_over_running_speed(engine, udp):
    """Ticks to walk >= distance / character.running_speed: the character never moves faster than the prototype."""
    speed = engine.prototypes.raw["character"]["character"]["running_speed"]
    agent = _call(engine, "agent", "create_agent", str(udp.getsockname()[1]))
    iface = agent["interface_name"]
    start = agent["position"]
    goal = (start["x"] + 12.5, start["y"] + 0.5)
    _call(engine, iface, "walk_to", f"{{x = {goal[0]}, y = {goal[1]}}}", "{radius = 0.5}")
    start_tick = engine.tick
    done = _completion(engine, udp, max_ticks=3000)
    assert done["success"] is True, done
    end = done["result"]["position"]
    straight = math.hypot(end["x"] - start["x"], end["y"] - start["y"])
    ticks = done["tick"] - start_tick
    assert ticks >= math.floor(straight / speed) - 1
    assert ticks <= 3 * straight / speed + 10  # a path, not a teleport or a stall
    assert math.hypot(end["x"] - goal[0], end["y"] - goal[1]) <= 1.0


def test_build_and_pickup_are_deltas_with_consecutive_seqs_on_disk_and_udp(engine, udp, tmp_path):
    _call(engine, "map", "set_snapshot_config", "{run_id = 'run-1'}")
    for _ in range(1000):  # the bootstrap writes 32 records per tick
        if _call(engine, "map", "get_snapshot_status")["phase"] == "complete":
            break
        engine.step()
    status = _call(engine, "map", "get_snapshot_status")
    assert status["phase"] == "complete"
    _call(engine, "map", "set_snapshot_config", f"{{udp_port = {udp.getsockname()[1]}}}")
    agent = _call(engine, "agent", "create_agent", "1")
    iface = agent["interface_name"]
    _call(engine, "admin", "add_items", str(agent["agent_id"]), "{['wooden-chest'] = 1}")
    x, y = agent["position"]["x"] + 2.5, agent["position"]["y"] + 0.5
    placed = _call(engine, iface, "place_entity", "'wooden-chest'", f"{{x = {x}, y = {y}}}")
    _call(engine, iface, "pickup_entity", "'wooden-chest'", f"{{x = {placed['position']['x']}, y = {placed['position']['y']}}}")
    datagrams = []
    while True:
        try:
            datagrams.append(json.loads(udp.recv(65536)))
        except BlockingIOError:
            break
    kinds = [(d["type"], d.get("entity", d).get("name")) for d in datagrams]
    assert kinds == [("entity_built", "wooden-chest"), ("entity_removed", "wooden-chest")]
    seqs = [d["seq"] for d in datagrams]
    assert seqs[1] == seqs[0] + 1
    log = [json.loads(line) for line in (tmp_path / "fv_snapshot" / "nauvis" / "updates.jsonl").read_text().splitlines()]
    assert log[-2:] == datagrams  # disk first, then the same record over UDP
    assert {d["run_id"] for d in datagrams} == {"run-1"}


def test_placement_hints_refuse_water_and_name_blockers(engine):
    surface = engine.world.surfaces["nauvis"]
    water = next((x, y) for (cx, cy), chunk in sorted(surface.chunks.items())
                 for i, name in enumerate(chunk.tiles) if name == "water"
                 for x, y in [(cx * 32 + i % 32, cy * 32 + i // 32)])
    wet = _call(engine, "placement_hints", "validate_placement", "'wooden-chest'", f"{{x = {water[0] + 0.5}, y = {water[1] + 0.5}}}")
    assert wet["valid"] is False and wet["reason"] == "blocked"
    unknown = _call(engine, "placement_hints", "validate_placement", "'no-such-thing'", "{x = 0, y = 0}")
    assert unknown == {"valid": False, "entity_name": "no-such-thing", "position": {"x": 0, "y": 0}, "reason": "unknown_entity"}
    dry = _call(engine, "placement_hints", "validate_placement", "'wooden-chest'", "{x = 0.5, y = 0.5}")
    assert dry["valid"] is True


def test_positions_outside_the_map_are_invalid_arguments(engine, udp):
    """Regression: walk_to far outside the map failed inside request_path with an untyped engine error."""
    agent = _call(engine, "agent", "create_agent", str(udp.getsockname()[1]))
    reply = engine.execute_command(f"/sc remote.call('{agent['interface_name']}', 'walk_to', {{x = 1e9, y = 0}})")
    assert "[fv:invalid_argument]" in reply and "outside the map" in reply
    assert engine.execute_command("/sc rcon.print(game.tick)") == str(engine.tick)  # still serving


def test_add_items_is_all_or_nothing(engine, udp):
    """Regression: a refused add_items (inventory_full) had already put the items that fit into the inventory."""
    agent = _call(engine, "agent", "create_agent", str(udp.getsockname()[1]))
    reply = engine.execute_command(
        f"/sc remote.call('admin', 'add_items', {agent['agent_id']}, {{coal = 10, wood = 100000}})"
    )
    assert "[fv:inventory_full]" in reply and "nothing was added" in reply
    assert _call(engine, agent["interface_name"], "get_inventory_items") in ([], {})  # empty
