"""Bad input and documented failures of every declared remote method, driven by the contract
(src/factoryverse/schemas/remote_interfaces.json, generated from the mods' declarations).

An unknown method is refused by the game, naming it. For every method that takes parameters, a value of the wrong type for its first parameter is refused with
`[fv:invalid_argument]` naming that parameter. For every method that documents `unknown_entity`, `unknown_item`,
`unknown_recipe`, `unknown_technology`, `unknown_agent` or `entity_not_found`, a call whose other parameters are
valid and whose one named thing does not exist gets that code. In both cases the game's state hash (world, forces,
every mod's storage) is the same after the refused call as before it: nothing changes half-way. The calls use one
table of named parameters, the seed's call form. Every test runs on each Factorio version (conftest.py).
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from factoryverse.engine.engine import Engine
from factoryverse.engine.state_hash import state_hash

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = json.loads((ROOT / "src" / "factoryverse" / "schemas" / "remote_interfaces.json").read_text(encoding="utf-8"))

# The interfaces every game has; a scenario's (its `scenario` named) are tested in test_scenarios.py.
_GAME_INTERFACES = {key: spec for key, spec in CONTRACT["interfaces"].items() if not spec.get("scenario")}
# The agent stands at (_AX, _AY) on cleared ground; _FREE is an empty tile within its reach.
_AX, _AY = 40.5, 40.5
_FREE = f"{{x = {_AX + 3}, y = {_AY}}}"
# Valid values for each parameter name, so that a call fails only for the one thing a case makes wrong.
_VALID = {
    "udp_port": "34999", "agent_id": "1", "items": "{['iron-plate'] = 1}", "technology_name": "'automation'",
    "position": _FREE, "resource_name": "'iron-ore'", "max_count": "1", "recipe_name": "'iron-gear-wheel'",
    "count": "1", "entity_name": "'wooden-chest'", "direction": "0", "index": "1", "item_name": "'iron-plate'",
    "limit": "1", "action_id": "1", "target_name": "'iron-chest'", "inserter_name": "'inserter'",
    "pole_name": "'small-electric-pole'", "amount": "100", "tile_name": "'concrete'", "agent_ids": "{1}",
    "area": f"{{{{{_AX + 2}, {_AY - 1}}}, {{{_AX + 5}, {_AY + 2}}}}}", "positions": f"{{{_FREE}}}",
    "config": "{}",
}
# The parameter that names a thing of each kind, and the value naming nothing the game has.
_UNKNOWN = {
    "unknown_entity": (("entity_name", "resource_name", "target_name", "inserter_name", "pole_name"),
                       "'no-such-entity'"),
    "unknown_item": (("item_name",), "'no-such-item'"),
    "unknown_recipe": (("recipe_name",), "'no-such-recipe'"),
    "unknown_technology": (("technology_name",), "'no-such-technology'"),
    "unknown_agent": (("agent_id",), "99"),
}
# Where the thing is named inside another parameter.
_SPECIAL = {
    ("agent_<id>", "walk_to", "unknown_entity"): {"position": _FREE, "options": "{entity_name = 'no-such-entity'}"},
    ("agent_<id>", "walk_to", "entity_not_found"): {"position": _FREE, "options": "{entity_name = 'wooden-chest'}"},
    ("admin", "add_items", "unknown_item"): {"agent_id": "1", "items": "{['no-such-item'] = 1}"},
    ("agent", "destroy_agents", "unknown_agent"): {"agent_ids": "{99}"},
}


@pytest.fixture
def game(engine: Engine):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    clear = (f"/sc local s = game.surfaces[1] for _, e in pairs(s.find_entities_filtered{{area = "
             f"{{{{{_AX - 8}, {_AY - 8}}}, {{{_AX + 8}, {_AY + 8}}}}}}}) do if e.type ~= 'character' then "
             f"e.destroy() end end")
    assert not engine.execute_command(clear)
    reply = engine.execute_command(f"/sc rcon.print(remote.call('agent', 'create_agent', {sock.getsockname()[1]}, "
                                   f"{{position = {{x = {_AX}, y = {_AY}}}}}).interface_name)")
    assert reply == "agent_1", reply
    yield engine
    sock.close()


def _interface(key: str) -> str:
    return "agent_1" if key == "agent_<id>" else key


def _refusal(engine: Engine, interface: str, method: str, named: dict[str, str] | None, positional: str = "") -> str:
    """The error text of a call; '' when the call succeeded."""
    if named is not None:
        fields = ", ".join(f"{k} = {v}" for k, v in named.items())
        positional = f"{{{fields}}}"
    reply = engine.execute_command(f"/sc remote.call('{interface}', '{method}', {positional})")
    return reply.split("\nstack traceback")[0] if reply.startswith("Cannot execute") else ""


def _methods():
    for key, spec in _GAME_INTERFACES.items():
        for method, declared in spec["methods"].items():
            yield key, method, declared


def test_a_wrong_type_is_refused_naming_the_parameter_and_changes_nothing(game):
    before = state_hash(game)
    checked, wrong = 0, []
    for key, method, declared in _methods():
        if not declared["params"]:
            continue
        first = declared["params"][0]
        value = "'x'" if first["type"] == "boolean" else "true"
        text = _refusal(game, _interface(key), method, None, value)
        checked += 1
        if "[fv:invalid_argument]" not in text or first["name"] not in text:
            wrong.append(f"{key}.{method}({value}): {text or 'accepted'}")
    # An unknown method is the game's own error, which names it.
    for key in _GAME_INTERFACES:
        text = _refusal(game, _interface(key), "no_such_method", None, "1")
        if "no_such_method" not in text:
            wrong.append(f"{key}.no_such_method: {text or 'accepted'}")
    assert checked >= 40 and not wrong, "\n".join(wrong)
    # The hash (world, forces, every mod's storage) once after all the refused calls, which cost no game time.
    assert state_hash(game) == before, "a refused call changed the game"
    assert game.mod_errors == []


def named_case(key: str, method: str, declared: dict, code: str) -> dict[str, str] | None:
    """The named parameters of a call that fails with `code` only for naming what does not exist; None when this
    file has no such case for the pair (test_situational_failures.py then needs a scenario for it)."""
    if (key, method, code) in _SPECIAL:
        return _SPECIAL[(key, method, code)]
    required = [p["name"] for p in declared["params"] if not p.get("optional") and "default" not in p]
    if code in _UNKNOWN:
        names, bad = _UNKNOWN[code]
        target = next((p for p in names if p in required), None)
        return None if target is None else {p: _VALID[p] for p in required} | {target: bad}
    if code == "entity_not_found" and "entity_name" in required and "position" in required:
        return {p: _VALID[p] for p in required}  # a wooden chest where there is none
    return None


def covered_by_names(key: str, method: str, declared: dict, code: str) -> bool:
    """Whether this file provokes that documented error (invalid_argument: the wrong-type test)."""
    return code == "invalid_argument" or named_case(key, method, declared, code) is not None


def test_each_documented_unknown_name_and_missing_entity_is_refused_with_its_code(game):
    before = state_hash(game)
    checked, wrong = [], []
    for key, method, declared in _methods():
        for code in declared.get("errors") or []:
            named = named_case(key, method, declared, code)
            if named is None:
                continue
            text = _refusal(game, _interface(key), method, named)
            checked.append(f"{key}.{method}:{code}")
            if f"[fv:{code}]" not in text:
                wrong.append(f"{key}.{method} {named} -> {text or 'accepted'} (wanted {code})")
    assert len(checked) >= 40 and not wrong, "\n".join(wrong)
    assert state_hash(game) == before, "a refused call changed the game"
    assert game.mod_errors == []
