"""Static checks of the three mods: Lua syntax, mod metadata, generated wire schema, interface contract.

The mods' behaviour in a running game is tested through the embedded engine; these checks need no game.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
from pathlib import Path

import jsonschema
import lupa.lua52 as lupa
import pytest

ROOT = Path(__file__).resolve().parents[2]
MODS_DIR = ROOT / "mods"
MODS = ("fv_embodied_agent", "fv_snapshot", "fv_placement_hints")
# fv_embodied_agent 0.3.0: the test-ground and lab-grid scenarios. fv_snapshot 0.2.0: records carry the run id
# (storage schema 2). fv_placement_hints 0.2.0: the seed's twelve methods.
MOD_VERSIONS = {"fv_embodied_agent": "0.3.0", "fv_snapshot": "0.3.3", "fv_placement_hints": "0.2.0"}
SCHEMAS = ROOT / "src" / "factoryverse" / "schemas"
WIRE = json.loads((SCHEMAS / "wire.schema.json").read_text(encoding="utf-8"))
INTERFACES = json.loads((SCHEMAS / "remote_interfaces.json").read_text(encoding="utf-8"))
LUA_FILES = sorted(MODS_DIR.rglob("*.lua"))
EVENT_HANDLER_DIR = (
    Path(lupa.__file__).resolve().parents[1] / "draftsman" / "factorio-data" / "core" / "lualib"
)


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_lua_schema", ROOT / "tools" / "gen_lua_schema.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _load_generator()


# --- syntax and metadata ----------------------------------------------------------------------------------------


def test_the_mods_hold_lua_files():
    assert {path.relative_to(MODS_DIR).parts[0] for path in LUA_FILES} == set(MODS)


@pytest.mark.parametrize("path", LUA_FILES, ids=lambda p: str(p.relative_to(MODS_DIR)))
def test_lua_file_compiles(path: Path):
    lua = lupa.LuaRuntime()
    compile_only = lua.eval("function(src, name) local f, err = load(src, '@' .. name, 't') return err end")
    assert compile_only(path.read_text(encoding="utf-8"), str(path)) is None


@pytest.mark.parametrize("mod", MODS)
def test_info_json_follows_factorio_conventions(mod: str):
    info = json.loads((MODS_DIR / mod / "info.json").read_text(encoding="utf-8"))
    assert info["name"] == mod
    assert info["version"] == MOD_VERSIONS[mod]
    assert info["title"]
    assert info["author"] == "FactoryVerse"
    assert info["factorio_version"] == "2.0"
    assert info["dependencies"] == ["base >= 2.0"]


@pytest.mark.parametrize("mod", MODS)
def test_control_lua_is_tiny_and_composes_existing_modules(mod: str):
    text = (MODS_DIR / mod / "control.lua").read_text(encoding="utf-8")
    assert len(text.splitlines()) < 30
    assert 'require("event_handler")' in text
    assert "handler.add_libraries(" in text
    required = re.findall(r'require\("(scripts\.[\w.]+)"\)', text)
    assert required, "control.lua composes no modules"
    for name in required:
        assert (MODS_DIR / mod / (name.replace(".", "/") + ".lua")).is_file(), name


@pytest.mark.parametrize("mod", MODS)
def test_every_function_with_parameters_has_a_lua_ls_annotation(mod: str):
    """Functions that take parameters have LuaLS annotations (or a --- doc line) right above; one-line closures
    are exempt."""
    missing = []
    for path in sorted((MODS_DIR / mod).rglob("*.lua")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if re.match(r"^\s*(local\s+)?function\s+[\w.]+\s*\(", line) or re.match(r"^\s*[\w.]+\s*=\s*function\s*\(", line):
                if re.search(r"function\s*[\w.]*\s*\(\s*\)", line) or re.search(r"\bend\b", line):
                    continue
                if not lines[number - 1].lstrip().startswith("---"):
                    missing.append(f"{path.relative_to(MODS_DIR)}:{number + 1}")
    assert not missing, missing


# --- the mods' own runtime, without a game ----------------------------------------------------------------------

_BARE_ENV = r"""
-- Constants only: each defines table hands out fresh integers for the names the modules read at load time.
local counter = 0
defines = setmetatable({}, {__index = function(root, group)
  local values = setmetatable({}, {__index = function(values, name)
    counter = counter + 1
    rawset(values, name, counter)
    return counter
  end})
  rawset(root, group, values)
  return values
end})
registered = {}
remote = {add_interface = function(name, functions) registered[name] = functions end}
"""


# `require("__mod__/path")`, as a scenario reaches its mod's files, resolved in the mods folder.
_MOD_PATH_SEARCHER = """
local mods_dir = ...
table.insert(package.searchers, 2, function(name)
  local mod, rest = name:match("^__([%w_%-]+)__[/.](.+)$")
  if not mod then return nil end
  return loadfile(mods_dir .. "/" .. mod .. "/" .. rest:gsub("%.lua$", "") .. ".lua")
end)
"""


def _mod_runtime(mod: str, scenario: str | None = None) -> lupa.LuaRuntime:
    lua = lupa.LuaRuntime(unpack_returned_tuples=True)
    first = f"{MODS_DIR / mod / 'scenarios' / scenario}/?.lua;" if scenario else ""
    lua.execute(f'package.path = "{first}{MODS_DIR / mod}/?.lua;{EVENT_HANDLER_DIR}/?.lua"')
    lua.execute(_MOD_PATH_SEARCHER, str(MODS_DIR))
    lua.execute(_BARE_ENV)
    return lua


def _registered_interfaces(mod: str, modules: list[str]) -> dict[str, dict]:
    lua = _mod_runtime(mod)
    for module in modules:
        lua.execute(f'require("{module}").add_remote_interface()')
    if mod == "fv_embodied_agent":
        lua.execute('registered["agent_<id>"] = require("scripts.agent_interface").build(1)')
    found = {name: dict(functions.items()) for name, functions in lua.globals().registered.items()}
    for scenario, scenario_modules in _SCENARIO_INTERFACE_MODULES.get(mod, {}).items():
        lua = _mod_runtime(mod, scenario)
        for module in scenario_modules:
            lua.execute(f'require("{module}").add_remote_interface()')
        found.update({name: dict(functions.items()) for name, functions in lua.globals().registered.items()})
    return found


_INTERFACE_MODULES = {
    "fv_embodied_agent": ["scripts.agents", "scripts.admin", "scripts.entities_interface", "scripts.test_ground"],
    "fv_snapshot": ["scripts.map_interface"],
    "fv_placement_hints": ["scripts.placement_interface"],
}
# Interfaces a mod's scenario registers (its level script), by scenario folder.
_SCENARIO_INTERFACE_MODULES = {"fv_embodied_agent": {"lab-grid": ["grid_interface"]}}


@pytest.mark.parametrize("mod", MODS)
def test_remote_interfaces_match_the_contract(mod: str):
    registered = _registered_interfaces(mod, _INTERFACE_MODULES[mod])
    expected = {name: spec for name, spec in INTERFACES["interfaces"].items() if spec["mod"] == mod}
    assert set(registered) == set(expected)
    for name, spec in expected.items():
        assert set(registered[name]) == set(spec["methods"]), name
        interface = "agent_1" if name == "agent_<id>" else name
        version = dict(registered[name]["version"]().items())
        assert version == {"interface": interface, "schema_version": 1, "mod_version": MOD_VERSIONS[mod]}


@pytest.mark.parametrize("mod", MODS)
def test_meta_matches_info_json(mod: str):
    meta = _mod_runtime(mod).eval('require("scripts.meta")')
    info = json.loads((MODS_DIR / mod / "info.json").read_text(encoding="utf-8"))
    assert (meta.MOD_NAME, meta.MOD_VERSION) == (info["name"], info["version"])


def test_error_codes_used_by_the_mods_are_in_the_contract():
    used = set()
    for path in LUA_FILES:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\[fv:(\w+)\]", text))
        used |= set(re.findall(r'fail\("(\w+)"', text))
    assert used, "no error codes found; the pattern no longer matches the mods"
    assert used <= set(INTERFACES["error_codes"]), used - set(INTERFACES["error_codes"])


# --- generated wire schema --------------------------------------------------------------------------------------


def test_generated_wire_schema_files_are_up_to_date():
    for target, text in GEN.expected_outputs().items():
        assert target.read_text(encoding="utf-8") == text, f"{target} is stale; run python tools/gen_lua_schema.py"


def test_generator_refuses_keywords_the_lua_validator_would_ignore():
    schema = copy.deepcopy(WIRE)
    schema["$defs"]["chunk"]["properties"]["surface"]["pattern"] = "^[a-z]+$"
    with pytest.raises(ValueError, match="pattern"):
        GEN.render_lua(schema)


RUN = "3f2a9c"
ENTITY = {
    "type": "entity", "schema_version": 3, "run_id": RUN, "surface": "nauvis", "unit_number": 7, "name": "stone-furnace",
    "entity_type": "furnace", "x": 3.0, "y": 3.0, "direction": 0, "force": "player", "bbox": [2.3, 2.3, 3.7, 3.7],
}
# An entity with every component the schema knows, as records.lua writes them.
FURNACE = {
    **ENTITY, "status": "working", "recipe": "iron-plate", "crafting_progress": 0.5,
    "inventories": {"fuel": {"coal": 4}, "crafter_input": {}, "crafter_output": {"iron-plate": 2}},
    "fuel": {"burning": "coal", "remaining": 1.2e6}, "electric_network_id": 3,
    "fluids": [{"index": 1, "name": "water", "amount": 100, "temperature": 15}],
    "inserter": {"pickup_position": [0.5, 0.5], "drop_position": [2.7, 0.5], "pickup_target": 1, "drop_target": 7,
                 "filters": ["coal"], "filter_mode": "whitelist"},
    "drill": {"mining_area": [-11, -11, -9, -9], "mining_target": "iron-ore", "drop_position": [-10.5, -11.3],
              "drop_target": 12},
    "pole": {"wires": [8, 9], "supply_area": [-2, 6, 3, 11]},
    "belt": {"inputs": [4], "outputs": [6]},
}
VALID = {
    "chunk": {"type": "chunk", "schema_version": 3, "run_id": RUN, "surface": "nauvis", "cx": -1, "cy": 2, "tick": 60},
    "resource_tile": {"type": "resource_tile", "schema_version": 3, "run_id": RUN, "surface": "nauvis", "name": "iron-ore",
                      "x": 5, "y": -3, "amount": 300},
    "resource_entity": {"type": "resource_entity", "schema_version": 3, "run_id": RUN, "surface": "nauvis", "name": "tree-01",
                        "entity_type": "tree", "x": 40.3, "y": 8.1, "bbox": [39.9, 7.7, 40.7, 8.5]},
    "water_tile": {"type": "water_tile", "schema_version": 3, "run_id": RUN, "surface": "nauvis", "name": "water", "x": 10, "y": 10},
    "entity": ENTITY,
    "snapshot_status": {"type": "snapshot_status", "schema_version": 3, "run_id": RUN, "phase": "complete", "tick": 4, "seq": 0,
                        "chunks": 16},
    "entity_built": {"type": "entity_built", "schema_version": 3, "run_id": RUN, "seq": 1, "tick": 3,
                     "event": "script_raised_built", "entity": ENTITY},
    "entity_removed": {"type": "entity_removed", "schema_version": 3, "run_id": RUN, "seq": 2, "tick": 9, "event": "on_entity_died",
                       "surface": "nauvis", "unit_number": 7, "name": "stone-furnace", "x": 3.0, "y": 3.0},
    "resource_depleted": {"type": "resource_depleted", "schema_version": 3, "run_id": RUN, "seq": 3, "tick": 9, "surface": "nauvis",
                          "name": "iron-ore", "x": 5, "y": 0},
    "chunk_charted": {"type": "chunk_charted", "schema_version": 3, "run_id": RUN, "seq": 4, "tick": 9, "surface": "nauvis",
                      "cx": 5, "cy": 5},
    "electric_network": {"type": "electric_network", "schema_version": 3, "run_id": RUN, "tick": 9, "surface": "nauvis",
                         "network_id": 4, "poles": 2, "production": {"steam-engine": 1.5e6}, "consumption": {}},
    "research": {"type": "research", "schema_version": 3, "run_id": RUN, "tick": 9, "force": "player",
                 "current": "automation", "progress": 0.25, "queue": ["automation", "logistics"], "researched": ["steam-power"]},
    "entity_changed": {"type": "entity_changed", "schema_version": 3, "run_id": RUN, "seq": 5, "tick": 9, "cause": "sampled",
                       "entity": FURNACE},
    "resource_entity_removed": {"type": "resource_entity_removed", "schema_version": 3, "run_id": RUN, "seq": 6, "tick": 9,
                                "event": "script_raised_destroy", "surface": "nauvis", "name": "tree-01", "x": 40.3, "y": 8.1},
    "research_changed": {"type": "research_changed", "schema_version": 3, "run_id": RUN, "seq": 7, "tick": 9,
                         "event": "on_research_finished", "technology": "automation",
                         "research": {"type": "research", "schema_version": 3, "run_id": RUN, "tick": 9, "force": "player",
                                      "progress": 0}},
    "action_completed": {"type": "action_completed", "schema_version": 3, "agent_id": 1, "action_id": 2,
                         "action": "walk_to", "success": False, "tick": 120, "result": {"position": {"x": 1, "y": 2}},
                         "error": "[fv:no_path] stuck"},
}

_WRONG_TYPE = {"string": 5, "number": "5", "integer": 2.5, "boolean": 1, "array": "a", "object": "o"}


def _cases():
    cases = [(name, record, f"{name}-valid") for name, record in VALID.items()]
    for name, record in VALID.items():
        schema = WIRE["$defs"][name]
        for field in schema["required"]:
            broken = {k: v for k, v in record.items() if k != field}
            cases.append((name, broken, f"{name}-missing-{field}"))
        for field, sub in schema["properties"].items():
            if "type" in sub:
                cases.append((name, {**record, field: _WRONG_TYPE[sub["type"]]}, f"{name}-{field}-wrong-type"))
            if "const" in sub or "enum" in sub:
                cases.append((name, {**record, field: "bogus"}, f"{name}-{field}-not-allowed"))
    cases += [
        ("entity", {**ENTITY, "bbox": [1, 2, 3]}, "bbox-too-short"),
        ("entity", {**ENTITY, "bbox": [1, 2, 3, 4, 5]}, "bbox-too-long"),
        ("entity", {**ENTITY, "bbox": [1, 2, 3, "4"]}, "bbox-item-wrong-type"),
        ("entity", {**ENTITY, "direction": 16}, "direction-above-maximum"),
        ("entity", {**ENTITY, "direction": 15}, "direction-at-maximum"),
        ("entity", {**ENTITY, "x": 3}, "integer-is-a-number"),
        ("resource_tile", {**VALID["resource_tile"], "amount": -1}, "amount-below-minimum"),
        ("resource_tile", {**VALID["resource_tile"], "x": 5.0}, "integral-float-is-an-integer"),
        ("entity_built", {**VALID["entity_built"], "seq": 0}, "seq-below-minimum"),
        ("entity_built", {**VALID["entity_built"], "entity": {**ENTITY, "force": None}}, "nested-missing-field"),
        ("entity_built", {**VALID["entity_built"], "entity": {**ENTITY, "schema_version": 2}}, "nested-wrong-const"),
        ("entity", {**FURNACE, "crafting_progress": 1.5}, "progress-above-maximum"),
        ("entity", {**FURNACE, "belt": {"inputs": []}}, "belt-inputs-empty-array"),
        ("entity", {**FURNACE, "inserter": {"pickup_position": [0.5, 0.5]}}, "inserter-missing-drop-position"),
        ("entity", {**FURNACE, "pole": {"wires": [8.5], "supply_area": [0, 0, 1, 1]}}, "pole-wire-not-a-unit-number"),
        ("entity", {**FURNACE, "fluids": [{"index": 0, "name": "water", "amount": 1}]}, "fluid-index-below-minimum"),
        ("snapshot_status", {**VALID["snapshot_status"], "charted_by": ["player", "fv-agent-1"]}, "status-charted-by"),
        ("snapshot_status", {**VALID["snapshot_status"], "charted_by": "player"}, "status-charted-by-not-array"),
        ("research_changed", {**VALID["research_changed"], "research": {"force": "player"}}, "nested-research-incomplete"),
        ("action_completed", {**VALID["action_completed"], "result": {"item": "iron-ore", "count": 3}},
         "result-other-keys"),
        ("action_completed", {**VALID["action_completed"], "result": [1]}, "result-array"),
        ("action_completed", {**VALID["action_completed"], "success": "yes"}, "success-string"),
    ]
    return [pytest.param(name, {k: v for k, v in rec.items() if v is not None}, id=case_id)
            for name, rec, case_id in cases]


def _to_lua(lua: lupa.LuaRuntime, value):
    if isinstance(value, dict):
        return lua.table_from({k: _to_lua(lua, v) for k, v in value.items()})
    if isinstance(value, list):
        return lua.table_from([_to_lua(lua, v) for v in value])
    return value


@pytest.fixture(scope="module", params=[str(t.relative_to(ROOT)) for t in GEN.TARGETS])
def lua_validator(request):
    """The generated module, run in a bare Lua 5.2 runtime: it must not need any Factorio global."""
    lua = lupa.LuaRuntime(unpack_returned_tuples=True)
    module = lua.execute((ROOT / request.param).read_text(encoding="utf-8"))
    return lua, module


@pytest.mark.parametrize(("def_name", "record"), _cases())
def test_lua_validator_agrees_with_jsonschema(lua_validator, def_name: str, record: dict):
    lua, module = lua_validator
    schema = {"$defs": WIRE["$defs"], "$ref": f"#/$defs/{def_name}"}
    python_ok = jsonschema.Draft202012Validator(schema).is_valid(record)
    lua_ok, problem = module.validate(def_name, _to_lua(lua, record))
    assert lua_ok == python_ok, problem


def test_lua_validator_takes_an_empty_table_as_an_object_because_factorio_writes_it_as_one(lua_validator):
    lua, module = lua_validator
    record = {**VALID["action_completed"], "result": {}}
    # helpers.table_to_json renders an empty Lua table as {}, which the schema accepts for `result`.
    schema = {"$defs": WIRE["$defs"], "$ref": "#/$defs/action_completed"}
    assert jsonschema.Draft202012Validator(schema).is_valid(record)
    ok, problem = module.validate("action_completed", _to_lua(lua, record))
    assert ok, problem


def test_lua_validator_names_unknown_definitions(lua_validator):
    lua, module = lua_validator
    ok, problem = module.validate("no_such_record", lua.table())
    assert not ok and "no_such_record" in problem
