"""Each situational failure a remote method documents, provoked on the engine: one scenario per (method, error).

The contract (src/factoryverse/schemas/remote_interfaces.json, generated from the mods' declarations) lists each
method's errors. test_declared_failures.py provokes the ones a bad name alone causes (`invalid_argument`,
`unknown_*`, `entity_not_found`); this file provokes the rest, which need the game in a situation: a full
inventory, a target out of reach, water in the way, a disabled interface, an action stopped while it runs. A
documented pair with no scenario fails `test_every_documented_failure_has_a_scenario`, so a new error cannot be
declared untested.

A scenario sets the situation up and then either names the call the mod must refuse (`Refuse`): the harness takes
the game's state hash (world, forces, every mod's storage), makes the call, checks its `[fv:<code>]` and checks
the hash again, since a refused call changes nothing; or it runs an asynchronous action to its end and returns
the `action_completed` message (`Async`), whose error must carry the code. Every scenario runs on each Factorio
version (conftest.py), in a fresh game.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.state_hash import state_hash

from .test_declared_failures import covered_by_names

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = json.loads((ROOT / "src" / "factoryverse" / "schemas" / "remote_interfaces.json").read_text(encoding="utf-8"))

# The agent stands at (_AX, _AY) on ground cleared 8 tiles around; agent_1 is its interface.
_AX, _AY = 40.5, 40.5
_A = "agent_1"
_FORCE = "'fv_embodied_agent.agent_1'"
# A lake far from the agent: 31 by 31 water tiles around (_LX, _LY).
_LX, _LY = 115, 115


def _p(dx: float, dy: float) -> str:
    """A position relative to the agent's start, as Lua."""
    return f"{{x = {_AX + dx}, y = {_AY + dy}}}"


@dataclass
class Refuse:
    """The call the mod must refuse; arguments are Lua expressions."""

    interface: str
    method: str
    args: tuple[str, ...]


@dataclass
class Async:
    """The action_completed message of an action that ended in failure."""

    message: dict


class Game:
    def __init__(self, engine: Engine, udp: socket.socket):
        self.engine, self.udp = engine, udp

    def lua(self, code: str) -> str:
        reply = self.engine.execute_command("/sc " + code)
        assert not reply.startswith("Cannot execute"), reply
        return reply

    def call(self, interface: str, method: str, *args: str):
        joined = "".join(", " + a for a in args)
        return json.loads(self.lua(f"rcon.print(helpers.table_to_json(remote.call('{interface}', '{method}'{joined})))"))

    def give(self, items: str) -> None:
        self.call("admin", "add_items", "1", items)

    def build(self, name: str, dx: float, dy: float, extra: str = "") -> None:
        """An entity of the agent's force, created by script (no item, no reach), e.g. far out of reach."""
        self.lua(f"assert(game.surfaces.nauvis.create_entity{{name = '{name}', position = {_p(dx, dy)}, "
                 f"force = {_FORCE}{extra}}})")

    def fill_inventory(self) -> None:
        """Fill every slot of the agent's main inventory with full stacks of iron plates."""
        self.lua("local c = game.surfaces.nauvis.find_entities_filtered{type = 'character'}[1] "
                 "c.get_main_inventory().insert{name = 'iron-plate', count = 1000000}")

    def ore_beside(self) -> None:
        """Iron ore on the tiles right of the agent, within resource reach."""
        self.call("test_ground", "place_resources", "'iron-ore'", f"{{{{{_AX + 0.5}, {_AY - 0.5}}}, "
                  f"{{{_AX + 2.5}, {_AY + 1.5}}}}}", "1000")

    def lake(self) -> None:
        self.call("test_ground", "set_tiles", "'water'", f"{{{{{_LX - 15}, {_LY - 15}}}, {{{_LX + 16}, {_LY + 16}}}}}")

    def disable_admin(self) -> None:
        self.lua("settings.global['fv_embodied_agent-enable-admin'] = {value = false}")

    def step(self, ticks: int) -> None:
        for _ in range(ticks):
            self.engine.step()

    def completion(self, max_ticks: int = 3000) -> Async:
        for _ in range(max_ticks):
            try:
                return Async(json.loads(self.udp.recv(65536)))
            except BlockingIOError:
                self.engine.step()
        raise AssertionError(f"no action_completed within {max_ticks} ticks")


# --- the scenarios ------------------------------------------------------------------------------------------------


def _create_agent_on_water(g: Game) -> Refuse:
    # 64 by 64 tiles of water: no spot for a character within the 32 tiles create_agent searches.
    g.call("test_ground", "set_tiles", "'water'", "{{200, 200}, {264, 264}}")
    return Refuse("agent", "create_agent", ("34999", "{position = {x = 232, y = 232}}"))


def _disabled(interface: str, method: str, *args: str) -> Callable[[Game], Refuse]:
    def scenario(g: Game) -> Refuse:
        g.disable_admin()
        return Refuse(interface, method, args)
    return scenario


def _add_items_beyond_the_inventory(g: Game) -> Refuse:
    g.give("{coal = 5}")  # all or nothing: these stay, the refused call's plates never arrive
    return Refuse("admin", "add_items", ("1", "{['iron-plate'] = 1000000}"))


def _walk_while_walking(g: Game) -> Refuse:
    g.call(_A, "walk_to", _p(30, 0))
    return Refuse(_A, "walk_to", (_p(-30, 0),))


def _walk_into_a_lake(g: Game) -> Async:
    g.lake()
    g.call(_A, "walk_to", f"{{x = {_LX}, y = {_LY}}}")
    return g.completion()


def _stop_a_walk(g: Game) -> Async:
    g.call(_A, "walk_to", _p(30, 0))
    g.step(10)
    assert g.call(_A, "stop_walking")["stopped"] is True
    return g.completion(5)


def _teleport_while_walking(g: Game) -> Refuse:
    g.call(_A, "walk_to", _p(30, 0))
    return Refuse(_A, "teleport", (_p(0, 5),))


def _teleport_into_a_lake(g: Game) -> Refuse:
    g.lake()  # no dry tile within the 8 tiles teleport searches
    return Refuse(_A, "teleport", (f"{{x = {_LX}, y = {_LY}}}",))


def _mine_ore_out_of_reach(g: Game) -> Refuse:
    area = f"{{{{{_AX + 5.5}, {_AY - 0.5}}}, {{{_AX + 6.5}, {_AY + 0.5}}}}}"
    g.call("test_ground", "place_resources", "'iron-ore'", area)
    return Refuse(_A, "mine_resource", ("'iron-ore'", "1", _p(6, 0)))


def _mine_with_no_ore_near(g: Game) -> Refuse:
    return Refuse(_A, "mine_resource", ("'iron-ore'", "1"))


def _mine_while_mining(g: Game) -> Refuse:
    g.ore_beside()
    g.call(_A, "mine_resource", "'iron-ore'", "5")
    return Refuse(_A, "mine_resource", ("'iron-ore'", "1"))


def _mine_into_a_full_inventory(g: Game) -> Async:
    g.ore_beside()
    g.fill_inventory()
    g.call(_A, "mine_resource", "'iron-ore'", "1")
    return g.completion()


def _stop_mining(g: Game) -> Async:
    g.ore_beside()
    g.call(_A, "mine_resource", "'iron-ore'")
    g.step(5)
    assert g.call(_A, "stop_mining")["stopped"] is True
    return g.completion(5)


def _craft_a_locked_recipe(g: Game) -> Refuse:
    g.give("{['iron-plate'] = 50, ['iron-gear-wheel'] = 50, ['electronic-circuit'] = 50}")
    return Refuse(_A, "craft_enqueue", ("'assembling-machine-1'",))  # enabled by the automation technology


def _craft_without_ingredients(g: Game) -> Refuse:
    g.give("{['iron-plate'] = 3}")
    return Refuse(_A, "craft_enqueue", ("'iron-gear-wheel'", "2"))


def _hand_craft_a_smelting_recipe(g: Game) -> Refuse:
    g.give("{['iron-ore'] = 10}")
    return Refuse(_A, "craft_enqueue", ("'iron-plate'",))  # the seed's own call; the game crafts plates in furnaces


def _dequeue_a_craft(g: Game) -> Async:
    g.give("{['iron-plate'] = 4}")
    g.call(_A, "craft_enqueue", "'iron-gear-wheel'", "2")
    assert g.call(_A, "craft_dequeue", "'iron-gear-wheel'", "2")["cancelled"] == 2
    return g.completion(5)


def _dequeue_nothing(g: Game) -> Refuse:
    return Refuse(_A, "craft_dequeue", ("'iron-gear-wheel'",))


def _place_without_the_item(g: Game) -> Refuse:
    return Refuse(_A, "place_entity", ("'wooden-chest'", _p(2, 0)))


def _place_beyond_build_distance(g: Game) -> Refuse:
    g.give("{['wooden-chest'] = 1}")
    g.call("test_ground", "clear_area", f"{{{{{_AX + 29}, {_AY - 2}}}, {{{_AX + 33}, {_AY + 2}}}}}")
    return Refuse(_A, "place_entity", ("'wooden-chest'", _p(31, 0)))


def _place_on_an_entity(g: Game) -> Refuse:
    g.give("{['wooden-chest'] = 1}")
    g.build("iron-chest", 2, 0)
    return Refuse(_A, "place_entity", ("'wooden-chest'", _p(2, 0)))


def _pickup_out_of_reach(g: Game) -> Refuse:
    g.build("wooden-chest", 20, 0)
    return Refuse(_A, "pickup_entity", ("'wooden-chest'", _p(20, 0)))


def _pickup_into_a_full_inventory(g: Game) -> Refuse:
    g.build("wooden-chest", 2, 0)
    g.fill_inventory()
    return Refuse(_A, "pickup_entity", ("'wooden-chest'", _p(2, 0)))


def _ghost(g: Game, dx: float) -> None:
    g.call(_A, "place_entity", "'wooden-chest'", _p(dx, 0), "0", "true")


def _build_a_ghost_without_the_item(g: Game) -> Refuse:
    _ghost(g, 2)
    return Refuse(_A, "build_ghost", ("'wooden-chest'", _p(2, 0)))


def _build_a_ghost_out_of_reach(g: Game) -> Refuse:
    g.give("{['wooden-chest'] = 1}")
    g.call("test_ground", "clear_area", f"{{{{{_AX + 29}, {_AY - 2}}}, {{{_AX + 33}, {_AY + 2}}}}}")
    _ghost(g, 31)
    return Refuse(_A, "build_ghost", ("'wooden-chest'", _p(31, 0)))


def _build_a_ghost_under_an_entity(g: Game) -> Refuse:
    g.give("{['wooden-chest'] = 1}")
    _ghost(g, 2)
    g.build("stone-furnace", 1.5, 0.5)  # its 2 by 2 box covers the ghost's tile
    return Refuse(_A, "build_ghost", ("'wooden-chest'", _p(2, 0)))


def _far(name: str, method: str, *rest: str, extra: str = "") -> Callable[[Game], Refuse]:
    """The entity 20 tiles away, beyond the character's reach_distance."""
    def scenario(g: Game) -> Refuse:
        g.build(name, 20, 0, extra)
        g.give("{['iron-plate'] = 10}")
        return Refuse(_A, method, (f"'{name}'", _p(20, 0), *rest))
    return scenario


def _rotate_a_chest(g: Game) -> Refuse:
    g.build("wooden-chest", 2, 0)
    return Refuse(_A, "rotate_entity", ("'wooden-chest'", _p(2, 0)))


def _recipe(interface: str, recipe: str) -> Callable[[Game], Refuse]:
    def scenario(g: Game) -> Refuse:
        g.build("assembling-machine-1", 3, 0)
        if interface == "entities":
            return Refuse("entities", "set_recipe", ("'assembling-machine-1'", _p(3, 0), f"'{recipe}'"))
        return Refuse(_A, "set_entity_recipe", ("'assembling-machine-1'", _p(3, 0), f"'{recipe}'"))
    return scenario


def _transfer(method: str, item: str, count: int, target: str, dx: float, inventory: str = "nil",
              setup: Callable[[Game], None] | None = None) -> Callable[[Game], Refuse]:
    def scenario(g: Game) -> Refuse:
        g.build(target, dx, 0)
        if setup is not None:
            setup(g)
        return Refuse(_A, method, (f"'{item}'", str(count), f"'{target}'", _p(dx, 0), inventory))
    return scenario


def _chest_with_copper(g: Game) -> None:
    g.lua(f"game.surfaces.nauvis.find_entity('wooden-chest', {_p(2, 0)}).insert{{name = 'copper-plate', count = 5}}")


def _tech(name: str) -> str:
    return f"'{name}'"


def _enqueue_a_researched_technology(g: Game) -> Refuse:
    g.call("admin", "unlock_technology", "1", _tech("automation-science-pack"))
    return Refuse(_A, "enqueue_research", (_tech("automation-science-pack"),))


def _enqueue_a_trigger_technology(g: Game) -> Refuse:
    # Researched by its trigger (crafting something), never with science packs: add_research says no.
    return Refuse(_A, "enqueue_research", (_tech("automation-science-pack"),))


def _cancel_a_research(g: Game) -> Async:
    g.call("admin", "unlock_technology", "1", _tech("automation-science-pack"))
    g.call(_A, "enqueue_research", _tech("automation"))
    assert g.call(_A, "cancel_current_research")["cancelled"] == "automation"
    return g.completion(5)


def _cancel_no_research(g: Game) -> Refuse:
    return Refuse(_A, "cancel_current_research", ())


def _near(interface: str, method: str, name: str, *rest: str) -> Callable[[Game], Refuse]:
    """The entity 3 tiles away, within reach; the call names something the game does not have."""
    def scenario(g: Game) -> Refuse:
        g.build(name, 3, 0)
        return Refuse(interface, method, (f"'{name}'", _p(3, 0), *rest))
    return scenario


def _mine_where_there_is_no_ore(g: Game) -> Refuse:
    g.ore_beside()  # ore in reach, but not at the position asked for
    return Refuse(_A, "mine_resource", ("'iron-ore'", "1", _p(-1, 0)))


_AREA = "{{0, 0}, {2, 2}}"
# (interface key as in the contract, method, error code) -> the scenario that provokes it.
SCENARIOS: dict[tuple[str, str, str], Callable[[Game], Refuse | Async]] = {
    ("agent", "create_agent", "placement_blocked"): _create_agent_on_water,
    ("admin", "add_items", "disabled"): _disabled("admin", "add_items", "1", "{coal = 1}"),
    ("admin", "add_items", "inventory_full"): _add_items_beyond_the_inventory,
    ("admin", "clear_inventory", "disabled"): _disabled("admin", "clear_inventory", "1"),
    ("admin", "unlock_technology", "disabled"): _disabled("admin", "unlock_technology", "1", "'automation'"),
    ("test_ground", "place_resources", "disabled"): _disabled("test_ground", "place_resources", "'iron-ore'", _AREA),
    ("test_ground", "clear_area", "disabled"): _disabled("test_ground", "clear_area", _AREA),
    ("test_ground", "set_tiles", "disabled"): _disabled("test_ground", "set_tiles", "'concrete'", _AREA),
    ("agent_<id>", "walk_to", "busy"): _walk_while_walking,
    ("agent_<id>", "walk_to", "no_path"): _walk_into_a_lake,
    ("agent_<id>", "walk_to", "cancelled"): _stop_a_walk,
    ("agent_<id>", "teleport", "busy"): _teleport_while_walking,
    ("agent_<id>", "teleport", "placement_blocked"): _teleport_into_a_lake,
    ("agent_<id>", "mine_resource", "out_of_reach"): _mine_ore_out_of_reach,
    ("agent_<id>", "mine_resource", "no_resource_in_reach"): _mine_with_no_ore_near,
    ("agent_<id>", "mine_resource", "busy"): _mine_while_mining,
    ("agent_<id>", "mine_resource", "inventory_full"): _mine_into_a_full_inventory,
    ("agent_<id>", "mine_resource", "cancelled"): _stop_mining,
    ("agent_<id>", "craft_enqueue", "invalid_state"): _craft_a_locked_recipe,
    ("agent_<id>", "craft_enqueue", "not_in_inventory"): _craft_without_ingredients,
    ("agent_<id>", "craft_enqueue", "game_refused"): _hand_craft_a_smelting_recipe,
    ("agent_<id>", "craft_enqueue", "cancelled"): _dequeue_a_craft,
    ("agent_<id>", "craft_dequeue", "invalid_state"): _dequeue_nothing,
    ("agent_<id>", "place_entity", "not_in_inventory"): _place_without_the_item,
    ("agent_<id>", "place_entity", "out_of_reach"): _place_beyond_build_distance,
    ("agent_<id>", "place_entity", "placement_blocked"): _place_on_an_entity,
    ("agent_<id>", "pickup_entity", "out_of_reach"): _pickup_out_of_reach,
    ("agent_<id>", "pickup_entity", "inventory_full"): _pickup_into_a_full_inventory,
    ("agent_<id>", "build_ghost", "not_in_inventory"): _build_a_ghost_without_the_item,
    ("agent_<id>", "build_ghost", "out_of_reach"): _build_a_ghost_out_of_reach,
    ("agent_<id>", "build_ghost", "placement_blocked"): _build_a_ghost_under_an_entity,
    ("agent_<id>", "rotate_entity", "out_of_reach"): _far("transport-belt", "rotate_entity"),
    ("agent_<id>", "rotate_entity", "game_refused"): _rotate_a_chest,
    ("agent_<id>", "set_entity_recipe", "out_of_reach"): _far("assembling-machine-1", "set_entity_recipe",
                                                              "'iron-gear-wheel'"),
    # assembling-machine-1 is a recipe the automation technology enables; the agent's force has not researched it.
    ("agent_<id>", "set_entity_recipe", "invalid_state"): _recipe("agent_<id>", "assembling-machine-1"),
    # iron-plate is a smelting recipe, which an assembling machine does not craft.
    ("agent_<id>", "set_entity_recipe", "game_refused"): _recipe("agent_<id>", "iron-plate"),
    ("agent_<id>", "set_entity_filter", "out_of_reach"): _far("fast-inserter", "set_entity_filter", "1", "'coal'"),
    ("agent_<id>", "set_inventory_limit", "out_of_reach"): _far("wooden-chest", "set_inventory_limit", "1"),
    ("agent_<id>", "put_inventory_item", "out_of_reach"): _transfer("put_inventory_item", "iron-plate", 1,
                                                                    "wooden-chest", 20,
                                                                    setup=lambda g: g.give("{['iron-plate'] = 5}")),
    ("agent_<id>", "put_inventory_item", "not_in_inventory"): _transfer("put_inventory_item", "iron-plate", 1,
                                                                        "wooden-chest", 2),
    # A furnace's fuel slot takes no iron plate.
    ("agent_<id>", "put_inventory_item", "inventory_full"): _transfer("put_inventory_item", "iron-plate", 1,
                                                                      "stone-furnace", 2, "'fuel'",
                                                                      setup=lambda g: g.give("{['iron-plate'] = 5}")),
    ("agent_<id>", "take_inventory_item", "out_of_reach"): _transfer("take_inventory_item", "iron-plate", 1,
                                                                     "wooden-chest", 20),
    ("agent_<id>", "take_inventory_item", "not_in_inventory"): _transfer("take_inventory_item", "iron-plate", 1,
                                                                         "wooden-chest", 2),
    ("agent_<id>", "take_inventory_item", "inventory_full"): _transfer(
        "take_inventory_item", "copper-plate", 5, "wooden-chest", 2,
        setup=lambda g: (_chest_with_copper(g), g.fill_inventory())),
    ("agent_<id>", "enqueue_research", "invalid_state"): _enqueue_a_researched_technology,
    ("agent_<id>", "enqueue_research", "game_refused"): _enqueue_a_trigger_technology,
    ("agent_<id>", "enqueue_research", "cancelled"): _cancel_a_research,
    ("agent_<id>", "cancel_current_research", "invalid_state"): _cancel_no_research,
    ("entities", "set_recipe", "invalid_state"): _recipe("entities", "assembling-machine-1"),
    # A fresh game has no run id yet (whoever starts the server sets one), so there is nowhere to write to.
    ("map", "take_snapshot", "invalid_state"): lambda g: Refuse("map", "take_snapshot", ()),
    # Unknown names that need an entity to be there first (test_declared_failures.py's calls find none).
    ("agent_<id>", "mine_resource", "entity_not_found"): _mine_where_there_is_no_ore,
    ("agent_<id>", "set_entity_recipe", "unknown_recipe"): _near(_A, "set_entity_recipe", "assembling-machine-1",
                                                                 "'no-such-recipe'"),
    ("agent_<id>", "set_entity_filter", "unknown_item"): _near(_A, "set_entity_filter", "fast-inserter", "1",
                                                               "'no-such-item'"),
    ("entities", "set_recipe", "unknown_recipe"): _near("entities", "set_recipe", "assembling-machine-1",
                                                        "'no-such-recipe'"),
    ("entities", "set_filter", "unknown_item"): _near("entities", "set_filter", "fast-inserter", "1", "'no-such-item'"),
    ("entities", "set_recipe", "game_refused"): _recipe("entities", "iron-plate"),
}


def _documented() -> set[tuple[str, str, str]]:
    out = set()
    for key, spec in CONTRACT["interfaces"].items():
        if spec.get("scenario"):
            continue  # only a game running that scenario has it: test_scenarios.py provokes its failures
        for method, declared in spec["methods"].items():
            for code in declared.get("errors") or []:
                if not covered_by_names(key, method, declared, code):
                    out.add((key, method, code))
    return out


def test_every_documented_failure_has_a_scenario():
    documented = _documented()
    assert len(documented) >= 45  # the scan reads the contract: it is not vacuous
    missing = sorted(documented - SCENARIOS.keys())
    stale = sorted(SCENARIOS.keys() - documented)
    assert not missing, f"documented errors with no scenario here (add one to SCENARIOS): {missing}"
    assert not stale, f"scenarios for errors the contract does not document (or covers by name): {stale}"


@pytest.fixture
def game(engine: Engine):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.setblocking(False)
    engine.execute_command(
        f"/sc for _, e in pairs(game.surfaces.nauvis.find_entities_filtered{{area = {{{{{_AX - 8}, {_AY - 8}}}, "
        f"{{{_AX + 8}, {_AY + 8}}}}}}}) do e.destroy() end")
    reply = engine.execute_command(f"/sc rcon.print(remote.call('agent', 'create_agent', {sock.getsockname()[1]}, "
                                   f"{{position = {{x = {_AX}, y = {_AY}}}}}).interface_name)")
    assert reply == _A, reply
    yield Game(engine, sock)
    sock.close()


@pytest.mark.parametrize("case", sorted(SCENARIOS), ids=lambda c: f"{c[0]}.{c[1]}-{c[2]}")
def test_the_documented_failure_happens_as_declared(game, case):
    key, method, code = case
    outcome = SCENARIOS[case](game)
    if isinstance(outcome, Refuse):
        assert outcome.method == method
        interface = _A if key == "agent_<id>" else key
        assert outcome.interface == interface
        before = state_hash(game.engine)
        joined = "".join(", " + a for a in outcome.args)
        reply = game.engine.execute_command(f"/sc remote.call('{interface}', '{method}'{joined})")
        assert reply.startswith("Cannot execute"), f"accepted: {reply!r}"
        text = reply.split("\nstack traceback")[0]
        assert f"[fv:{code}]" in text, text
        assert state_hash(game.engine) == before, f"the refused call changed the game: {text}"
    else:
        message = outcome.message
        assert message["type"] == "action_completed" and message["action"] == method, message
        assert message["success"] is False and message["error"].startswith(f"[fv:{code}]"), message
    assert game.engine.mod_errors == []


def test_get_technologies_and_enqueue_research_agree_on_trigger_technologies(game):
    """Regression: a new force's trigger technologies were listed researchable while enqueue_research refused them.

    A trigger technology (2.0's `research_trigger`) is researched when its trigger happens, not with science packs;
    add_research refuses it. get_technologies reports the trigger and never calls it researchable.
    """
    game.call("admin", "unlock_technology", "1", _tech("automation-science-pack"))  # so some are researchable
    technologies = {t["name"]: t for t in game.call(_A, "get_technologies")}
    prototypes = game.engine.prototypes.raw["technology"]
    triggers = {name for name, proto in prototypes.items() if proto.get("research_trigger")}
    assert {"automation-science-pack", "electronics", "steam-power"} <= triggers
    for name in sorted(triggers - {"automation-science-pack"}):
        assert technologies[name]["researchable"] is False, technologies[name]
        assert technologies[name]["research_trigger"]["type"] == prototypes[name]["research_trigger"]["type"]
    researchable = game.call(_A, "get_technologies", "true")
    assert "automation" in {t["name"] for t in researchable}
    for t in researchable:
        assert t.get("research_trigger") is None, t
        started = game.call(_A, "enqueue_research", _tech(t["name"]))  # each one listed is one the game takes
        assert started["technology"] == t["name"]
        game.call(_A, "cancel_current_research")
