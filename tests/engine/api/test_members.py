"""The API member list: its generator (on small typed-factorio-shaped tarballs), the committed data file, and the
loader the engine builds its Lua proxies from."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import tarfile
from pathlib import Path

import pytest

from factoryverse.engine.api.members import (
    DATA_PATH, ApiDataError, ApiMembers, MemberInfo, UnknownClassError, load_members,
)

_TOOL = Path(__file__).resolve().parents[3] / "tools" / "gen_api_members.py"


def _load_tool():
    spec = importlib.util.spec_from_file_location("gen_api_members", _TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


gen = _load_tool()

OLD, NEW = "9.0.1", "9.1.0"


def _link(version: str, page: str) -> str:
    return f"@see {{@link https://lua-api.factorio.com/{version}/{page} Online documentation}}"


def _classes(v: str) -> str:
    newer = v == NEW
    # 9.1.0 makes ``direction`` read-only, adds ``add_fluid`` and the class LuaNew, and drops ``kind``
    direction = "readonly direction: defines.direction" if newer else "direction: defines.direction"
    kind = "" if newer else '    readonly kind?:\n      | "a"\n      | "b"\n'
    add_fluid = "    add_fluid(fluid: Fluid): double\n" if newer else ""
    new_class = f"""
  /**
   * Only in the newer version.
   * {_link(v, "classes/LuaNew.html")}
   */
  export interface LuaNew {{
    readonly valid: boolean
  }}""" if newer else ""
    return f"""// This is an auto-generated file. Do not edit directly!

/** @noSelfInFile */

import type {{ EntityType }} from "factorio:prototype"

/**
 * @noResolution
 */
declare module "factorio:runtime" {{
  /**
   * Something that holds inventories. It's the base of {{@link LuaThing}}.
   * {_link(v, "classes/LuaControl.html")}
   */
  export interface LuaControl {{
    /**
     * Insert items into this {{@link LuaThing thing}}. Returns the count.
     * {_link(v, "classes/LuaControl.html#insert")}
     */
    insert(items: ItemStackIdentification): uint32
    get_inventory(inventory: defines.inventory): LuaInventory | nil
    readonly position: MapPosition
  }}
  /**
   * A thing.
   * {_link(v, "classes/LuaThing.html")}
   */
  export interface LuaThing extends LuaControl {{
    {direction}
    get speed(): float
    set speed(value: float | nil)
    get color(): Color
    set width(value: int)
    on_event<E extends EventId<any>>(
      event: E | E[],
      f: ((data: E["_eventData"]) => void) | nil,
      filters?: E["_filter"][],
    ): void
    on_event(event: string, f: ((data: CustomInputEvent) => void) | nil): void
{kind}{add_fluid}    get elem_value(): this["elem_type"] extends "signal"
      ? SignalID | nil
      : string | nil
    set elem_value(value: string | nil)
    /**
     * Number of things.
     * {_link(v, "classes/LuaThing.html#length_operator")}
     */
    readonly length: LuaLengthMethod<uint32>
    readonly [index: number]: LuaItemStack
    (lower?: int32): double
    readonly "quoted-name": boolean
  }}
  export interface BaseThing extends LuaControl {{ only_in_a_variant: boolean }}
  export interface GhostThing
    extends BaseThing {{
    readonly ghost_name: string
  }}
  export interface BaseGui {{
    readonly type: string; caption: string
  }}
  export interface ButtonMembers extends BaseGui {{
    readonly style: string
  }}
  export interface FlowMembers extends BaseGui {{
    style: string
    add(spec: {{ type: "flow" }}): LuaGui
  }}
  export interface GuiIndexer {{
    /**
     * Children by name.
     * {_link(v, "classes/LuaGui.html#index_operator")}
     */
    readonly [name: string]: LuaGui | nil
  }}
  type GuiMembers =
    | ButtonMembers
    | FlowMembers
  /**
   * A GUI element of any type.
   * {_link(v, "classes/LuaGui.html")}
   */
  type LuaGui = GuiMembers & GuiIndexer{new_class}
}}
"""


def _defines(v: str) -> str:
    extra = "      west = 12,\n" if v == NEW else ""
    return f"""import type {{ OnBuiltEntityEvent }} from "factorio:runtime"

declare global {{
  namespace defines {{
    enum direction {{
      north = 0,
      east = 4,
{extra}    }}
    /**
     * Inventories.
     * {_link(v, "defines.html#defines.inventory")}
     */
    enum inventory {{
      fuel,
      /**
       * A chest's inventory.
       */
      chest,
    }}
    namespace control_behavior {{
      namespace inserter {{
        enum hand_read_mode {{
          hold,
          pulse,
        }}
      }}
    }}
    // See https://example.invalid/why-this-is-here
    /** @omit */
    enum default_icon_size {{}}
    namespace events {{
      /**
       * Event type: {{@link OnTickEvent}}
       */
      const on_tick: EventId<OnTickEvent>
      const on_built_entity: EventId<
        OnBuiltEntityEvent,
        LuaPlayerBuiltEntityEventFilter
      >
    }}
    type events = (typeof events)[keyof typeof events]
    interface prototypes {{
      entity: {{
        furnace: 0
        "assembling-machine": 0
      }}
    }}
    const prototypes: prototypes
  }}
}}
"""


def _events(v: str) -> str:
    consumed = "    readonly consumed_items: LuaInventory\n" if v == NEW else ""
    return f"""declare module "factorio:runtime" {{
  /**
   * Called when a player builds something.
   * {_link(v, "events.html#on_built_entity")}
   */
  interface OnBuiltEntityEvent extends EventData {{
    readonly entity: LuaEntity
{consumed}    readonly tags?: Tags
    readonly name: typeof defines.events.on_built_entity
  }}
  /**
   * {_link(v, "events.html#on_tick")}
   */
  interface OnTickEvent extends EventData {{
    readonly name: typeof defines.events.on_tick
  }}
}}
"""


_CONCEPTS = """declare module "factorio:runtime" {
  export interface EventData {
    readonly name: EventId<EventData> | string
    readonly tick: uint32
    readonly mod_name?: string
  }
}
"""


def _globals(v: str) -> str:
    debug = "  const debugadapter: LuaDebugAdapter | undefined\n" if v == NEW else ""
    return f"""import type {{ LuaThing }} from "factorio:runtime"

declare global {{
  /**
   * The main scripting interface.
   * {_link(v, "index-runtime.html")}
   */
  const game: LuaThing
{debug}  //The "settings" and "helpers" globals are declared elsewhere.
}}
"""


_FUNCTIONS = """declare global {
  /**
   * `log()` can print {@link LocalisedString LocalisedStrings} to the log file.
   */
  function log(string: LocalisedString): void
}
"""

_HELPERS = 'declare const helpers: import("factorio:runtime").LuaControl\n'


def _tarball(directory: Path, factorio: str, package_version: str) -> Path:
    files = {
        "package/package.json": json.dumps({"name": "typed-factorio", "version": package_version}),
        "package/runtime/generated/classes.d.ts": _classes(factorio),
        "package/runtime/generated/concepts.d.ts": _CONCEPTS,
        "package/runtime/generated/defines.d.ts": _defines(factorio),
        "package/runtime/generated/events.d.ts": _events(factorio),
        "package/runtime/generated/global-objects.d.ts": _globals(factorio),
        "package/runtime/generated/global-functions.d.ts": _FUNCTIONS,
        "package/common/helpers-global.d.ts": _HELPERS,
    }
    path = directory / f"typed-factorio-{package_version}.tgz"
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture()
def generated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[dict, Path, str]:
    new = _tarball(tmp_path, NEW, "8.0.0")  # given newest first: the output must not depend on argument order
    old = _tarball(tmp_path, OLD, "7.0.0")
    out = tmp_path / "out" / "api_members.json"
    assert gen.main(["--out", str(out), str(new), str(old)]) == 0
    return json.loads(out.read_text(encoding="utf-8")), out, capsys.readouterr().out


# --- parser ------------------------------------------------------------------------------------------------------

def test_interface_members_kinds_and_access() -> None:
    decls = gen.parse_declarations(_classes(OLD))["decls"]
    thing = decls["LuaThing"]
    assert thing.bases == ["LuaControl"]
    m = thing.members
    assert m["direction"].kind == "property" and not m["direction"].readonly
    assert m["speed"].kind == "property" and not m["speed"].readonly and not m["speed"].writeonly
    assert m["color"].readonly and not m["color"].writeonly
    assert m["width"].writeonly and not m["width"].readonly
    assert m["elem_value"].kind == "property" and not m["elem_value"].readonly
    assert m["on_event"].kind == "method"
    assert m["kind"].optional and m["kind"].readonly
    assert "quoted-name" in m
    assert "length" not in m and thing.operators == {"length", "index", "call"}
    assert decls["GhostThing"].bases == ["BaseThing"]
    assert decls["LuaGui"].kind == "type" and decls["LuaGui"].bases == ["GuiMembers", "GuiIndexer"]


def test_method_parameter_lists_are_recorded_per_overload() -> None:
    decls = gen.parse_declarations(_classes(OLD))["decls"]
    on_event = decls["LuaThing"].members["on_event"]
    # generics, multi-line lists and their trailing comma, one list per overload
    assert on_event.signatures == [
        'event: E | E[], f: ((data: E["_eventData"]) => void) | nil, filters?: E["_filter"][]',
        "event: string, f: ((data: CustomInputEvent) => void) | nil",
    ]
    assert decls["LuaControl"].members["insert"].signatures == ["items: ItemStackIdentification"]
    assert decls["LuaThing"].members["direction"].signatures == []  # properties have none


def test_generated_params_live_on_the_defining_class(generated: tuple[dict, Path, str]) -> None:
    doc = generated[0]
    insert = doc["classes"]["LuaControl"]["members"]["insert"]
    assert insert["params"] == ["items: ItemStackIdentification"]
    assert "params" not in doc["classes"]["LuaThing"]["members"]["insert"]  # inherited: only ``from``
    assert "params_by_version" not in insert  # both versions declare the same list


def test_member_doc_is_first_sentence_with_links_resolved() -> None:
    decls = gen.parse_declarations(_classes(OLD))["decls"]
    assert decls["LuaControl"].members["insert"].doc == "Insert items into this thing."


def test_inherited_members_follow_extends_chains() -> None:
    decls = gen.parse_declarations(_classes(OLD))["decls"]
    members, origin = gen.resolve_members(decls, "GhostThing", {"LuaControl"})
    assert {"insert", "position", "only_in_a_variant", "ghost_name"} <= set(members)
    assert origin["insert"] == "LuaControl" and origin["only_in_a_variant"] is None


def test_union_alias_has_every_variants_members_writable_if_any_variant_writes() -> None:
    decls = gen.parse_declarations(_classes(OLD))["decls"]
    members, _ = gen.resolve_members(decls, "LuaGui")
    assert {"type", "caption", "style", "add"} <= set(members)
    assert not members["style"].readonly and members["type"].readonly


def test_unrecognised_member_is_a_generation_error() -> None:
    with pytest.raises(gen.GenerationError, match="unrecognised member in interface LuaBad"):
        gen.parse_declarations("declare module \"m\" {\n  interface LuaBad {\n    +weird\n  }\n}\n")


# --- generated document ----------------------------------------------------------------------------------------

def test_generated_versions_and_classes(generated: tuple[dict, Path, str]) -> None:
    doc, _, _ = generated
    assert doc["versions"] == {OLD: "typed-factorio@7.0.0", NEW: "typed-factorio@8.0.0"}
    assert set(doc["classes"]) == {"LuaControl", "LuaThing", "LuaGui", "LuaNew"}  # Base*/variants are not classes
    assert doc["classes"]["LuaNew"]["in"] == [NEW]
    thing = doc["classes"]["LuaThing"]["members"]
    assert thing["insert"] == {"from": "LuaControl", "in": [OLD, NEW], "kind": "method", "readonly": True}
    assert thing["add_fluid"]["in"] == [NEW] and thing["kind"]["in"] == [OLD]
    # writable in 9.0.1 only: the API common to both is read-only
    assert thing["direction"]["readonly"] is True
    assert thing["direction"]["access_by_version"] == {OLD: "rw", NEW: "r"}
    assert thing["width"]["writeonly"] is True
    assert doc["classes"]["LuaThing"]["operators"] == {"call": [OLD, NEW], "index": [OLD, NEW], "length": [OLD, NEW]}
    assert doc["classes"]["LuaGui"]["operators"] == {"index": [OLD, NEW]}


def test_generated_defines(generated: tuple[dict, Path, str]) -> None:
    defines = json.loads(json.dumps(generated[0]["defines"]))
    assert defines["direction"]["kind"] == "enum"
    assert defines["direction"]["members"]["east"] == {"in": [OLD, NEW], "value": 4}
    assert defines["direction"]["members"]["west"] == {"in": [NEW], "value": 12}
    assert defines["inventory"]["members"]["chest"] == {"in": [OLD, NEW], "order": 1}
    assert defines["control_behavior"]["members"]["inserter"]["members"]["hand_read_mode"]["members"]["pulse"] == {
        "in": [OLD, NEW], "order": 1}
    assert defines["default_icon_size"]["members"] == {}
    assert defines["events"]["members"]["on_built_entity"] == {
        "event_type": "OnBuiltEntityEvent", "in": [OLD, NEW], "order": 1}
    assert defines["prototypes"]["members"]["entity"]["members"]["assembling-machine"]["value"] == 0


def test_generated_events_and_globals(generated: tuple[dict, Path, str]) -> None:
    doc = generated[0]
    built = doc["events"]["on_built_entity"]
    assert built["data_type"] == "OnBuiltEntityEvent"
    assert built["fields"] == ["entity", "mod_name", "name", "tags", "tick"]
    assert built["optional_fields"] == ["mod_name", "tags"]
    assert built["fields_only_in"] == {NEW: ["consumed_items"]}
    assert doc["global_objects"]["game"] == {"in": [OLD, NEW], "type": "LuaThing"}
    assert doc["global_objects"]["helpers"] == {"in": [OLD, NEW], "type": "LuaControl"}
    assert doc["global_objects"]["debugadapter"] == {"in": [NEW], "optional": True, "type": "LuaDebugAdapter"}
    assert doc["global_functions"]["log"] == {"doc": "`log()` can print LocalisedStrings to the log file.",
                                              "in": [OLD, NEW]}


def test_summary_reports_own_and_inherited_counts(generated: tuple[dict, Path, str]) -> None:
    summary = generated[2]
    # 9.0.1: LuaControl 3, LuaThing 8 own + 3 from LuaControl, LuaGui 4 (its variants are not classes)
    assert summary.index(f"Factorio {OLD} (typed-factorio@7.0.0): 3 classes, 18 members with inherited ones, "
                         "15 declared by the class itself") < summary.index(f"Factorio {NEW}")
    # 9.1.0 adds LuaNew (1) and LuaThing.add_fluid, drops LuaThing.kind
    assert f"Factorio {NEW} (typed-factorio@8.0.0): 4 classes, 19 members with inherited ones, 16 declared" in summary
    assert f"in all of {OLD}, {NEW}: 3 classes, 17 class.member pairs with inherited ones, 14 declared" in summary


def test_output_is_stable_sorted_json(generated: tuple[dict, Path, str]) -> None:
    doc, out, _ = generated
    text = out.read_text(encoding="utf-8")
    assert text == gen.dump_json(json.loads(text)) + "\n"
    assert list(doc) == sorted(doc) and list(doc["classes"]["LuaThing"]["members"]) == sorted(
        doc["classes"]["LuaThing"]["members"])


def test_two_tarballs_of_one_version_are_refused(tmp_path: Path) -> None:
    one = _tarball(tmp_path, OLD, "7.0.0")
    (tmp_path / "other").mkdir()
    other = _tarball(tmp_path / "other", OLD, "7.0.1")
    with pytest.raises(gen.GenerationError, match="same Factorio version"):
        gen.build([gen.parse_tarball(one), gen.parse_tarball(other)])


def test_a_tarball_without_runtime_declarations_is_refused(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "bogus.tgz"
    with tarfile.open(bogus, "w:gz") as tar:
        info = tarfile.TarInfo("package/package.json")
        tar.addfile(info, io.BytesIO(b""))
    out = tmp_path / "out.json"
    assert gen.main(["--out", str(out), str(bogus)]) == 1
    assert "is it a typed-factorio tarball" in capsys.readouterr().err
    assert not out.exists()


def test_without_npm_the_script_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no npm to run
    assert gen.main(["--out", str(tmp_path / "out.json")]) == 1
    assert "npm is not installed; install Node.js/npm or pass tarball paths" in capsys.readouterr().err


def test_loader_on_generated_file(generated: tuple[dict, Path, str]) -> None:
    api = load_members(generated[1])
    assert api.classes() == ["LuaControl", "LuaGui", "LuaThing"]
    assert api.has("LuaThing", "insert") and not api.has("LuaThing", "add_fluid")
    assert not api.has("LuaNew", "valid") and api.class_members("LuaNew") == {}
    assert api.member("LuaThing", "add_fluid").versions == (NEW,)
    assert api.member("LuaThing", "insert").doc == "Insert items into this thing."  # from LuaControl
    assert api.operators("LuaGui") == frozenset({"index"})


# --- the committed data file -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def api() -> ApiMembers:
    return load_members()


def test_committed_file_is_in_generator_format() -> None:
    text = DATA_PATH.read_text(encoding="utf-8")
    doc = json.loads(text)
    assert text == gen.dump_json(doc) + "\n", "regenerate with tools/gen_api_members.py"
    assert doc["versions"] == {"2.0.75": "typed-factorio@3.36.0", "2.1.7": "typed-factorio@4.0.1"}


def test_entity_inherits_control(api: ApiMembers) -> None:
    assert api.has("LuaEntity", "insert") and api.has("LuaEntity", "get_inventory")
    assert api.member("LuaEntity", "insert").defined_in == "LuaControl"
    assert not api.has("LuaEntity", "foo") and api.member("LuaEntity", "foo") is None


def test_entity_access(api: ApiMembers) -> None:
    position = api.member("LuaEntity", "position")
    assert position.kind == "property" and position.readonly
    direction = api.member("LuaEntity", "direction")
    assert direction.kind == "property" and not direction.readonly
    # writable in 2.0.75 but read-only in 2.1.7, so read-only for mods that must run on both
    assert api.member("LuaEntity", "active").readonly
    assert api.member("LuaStyle", "width").writeonly


@pytest.mark.parametrize(("cls", "members"), [
    ("LuaGameScript", ["surfaces", "forces", "create_force"]),
    ("LuaHelpers", ["send_udp", "write_file", "table_to_json", "json_to_table"]),
    ("LuaRCON", ["print"]),
    ("LuaBootstrap", ["on_event", "on_nth_tick", "raise_event", "generate_event_name", "on_init", "on_load",
                      "on_configuration_changed"]),
    ("LuaSurface", ["request_path", "can_place_entity", "create_entity", "find_entities_filtered"]),
    ("LuaGuiElement", ["add", "caption", "children", "type"]),
])
def test_members_in_both_versions(api: ApiMembers, cls: str, members: list[str]) -> None:
    for member in members:
        assert api.has(cls, member), f"{cls}.{member}"
        assert member in api.class_members(cls)


def test_members_of_one_version_only_are_not_in_both(api: ApiMembers) -> None:
    add_fluid = api.member("LuaEntity", "add_fluid")  # new in 2.1
    assert add_fluid is not None and add_fluid.versions == ("2.1.7",) and add_fluid.kind == "method"
    assert not api.has("LuaEntity", "add_fluid") and "add_fluid" not in api.class_members("LuaEntity")
    fluidbox = api.member("LuaEntity", "fluidbox")  # gone in 2.1
    assert fluidbox is not None and fluidbox.versions == ("2.0.75",)
    assert not api.has("LuaEntity", "fluidbox")
    assert "LuaFluidBox" not in api.classes() and api.class_versions("LuaFluidBox") == ("2.0.75",)


def test_operators_defines_events_globals(api: ApiMembers) -> None:
    assert api.operators("LuaInventory") == frozenset({"index", "length"})
    assert api.defines["direction"]["members"]["north"]["value"] == 0
    assert api.defines["inventory"]["members"]["fuel"]["in"] == ["2.0.75", "2.1.7"]
    assert api.defines["events"]["members"]["on_built_entity"]["event_type"] == "OnBuiltEntityEvent"
    assert {"entity", "player_index", "tick", "name"} <= set(api.events["on_built_entity"]["fields"])
    for name, cls in [("game", "LuaGameScript"), ("script", "LuaBootstrap"), ("remote", "LuaRemote"),
                      ("commands", "LuaCommandProcessor"), ("rcon", "LuaRCON"), ("rendering", "LuaRendering"),
                      ("helpers", "LuaHelpers"), ("prototypes", "LuaPrototypes"), ("settings", "LuaSettings")]:
        assert api.global_objects[name]["type"] == cls and cls in api.classes()


def test_unknown_class_is_a_typed_error(api: ApiMembers) -> None:
    with pytest.raises(UnknownClassError, match="'LuaEntty' is not a runtime class"):
        api.has("LuaEntty", "insert")
    with pytest.raises(KeyError):  # also a KeyError, for callers that treat it as a missing key
        api.class_members("LuaEntty")


def test_member_info_is_immutable(api: ApiMembers) -> None:
    info = api.member("LuaEntity", "name")
    assert isinstance(info, MemberInfo) and info.in_all_versions
    with pytest.raises(AttributeError):
        info.readonly = False  # type: ignore[misc]


def test_missing_or_malformed_data_file(tmp_path: Path) -> None:
    with pytest.raises(ApiDataError, match="is missing; regenerate"):
        load_members(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"versions": {}}', encoding="utf-8")
    with pytest.raises(ApiDataError, match="malformed"):
        load_members(bad)
