"""Write fv_embodied_agent's interfaces into src/factoryverse/schemas/remote_interfaces.json from the mod itself.

The mod declares each remote method once (mods/fv_embodied_agent/scripts/declared.lua); this script runs the mod in
the embedded engine, creates an agent and calls describe() on every interface the mod registers, then replaces
those interfaces' entries in the contract file. Other mods' entries and `error_codes` are kept as they are (their
owners maintain them); a code the mod declares that `error_codes` lacks is an error.

    python tools/gen_remote_interfaces.py          # rewrite the file
    python tools/gen_remote_interfaces.py --check  # exit 1 if the file is stale
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "src" / "factoryverse" / "schemas" / "remote_interfaces.json"
MOD = "fv_embodied_agent"
# Interface as registered -> its key in the contract (per-agent interfaces share one entry).
INTERFACES = {"agent": "agent", "admin": "admin", "entities": "entities", "test_ground": "test_ground",
              "agent_1": "agent_<id>"}
# Interfaces a scenario of the mod registers (its level script): interface -> the scenario that registers it.
SCENARIO_INTERFACES = {"lab_grid": "fv_embodied_agent/lab-grid"}
_LIST_FIELDS = ("params", "errors", "enum")


def _param(view: dict[str, Any]) -> dict[str, Any]:
    """A describe() parameter as the contract writes it: fixed key order, empty Lua tables as the lists they are."""
    out: dict[str, Any] = {"name": view["name"], "type": view["type"]}
    for key in ("optional", "default", "min", "max", "above", "enum", "doc"):
        if key in view:
            value = view[key]
            out[key] = [] if key in _LIST_FIELDS and value == {} else value
    if "fields" in view:
        out["fields"] = [_param(f) for f in view["fields"]]
    for key in ("items", "values"):
        if key in view:
            out[key] = _param(view[key])
    return out


def _method(view: dict[str, Any]) -> dict[str, Any]:
    params = view.get("params") or []
    out: dict[str, Any] = {
        "params": [_param(p) for p in (params if isinstance(params, list) else [])],
        "returns": view["returns"],
        "errors": list(view.get("errors") or []),
        "doc": view["doc"],
    }
    if view.get("async"):
        out["async"] = True
    if view.get("mutates"):
        out["mutates"] = True
    return out


def _call(engine: Any, interface: str, method: str, *args: str) -> Any:
    reply = engine.execute_command(
        f"/sc rcon.print(helpers.table_to_json(remote.call('{interface}', '{method}'{''.join(', ' + a for a in args)})))"
    )
    if reply.startswith("Cannot execute"):
        raise RuntimeError(reply)
    return json.loads(reply)


def _entry(view: dict[str, Any]) -> dict[str, Any]:
    return {"mod": view["mod"], "doc": view["doc"], "methods": {m["name"]: _method(m) for m in view["methods"]}}


def described() -> dict[str, dict[str, Any]]:
    """Contract key -> entry, from describe() of each interface of the running mod (and of its scenarios)."""
    from factoryverse.engine.engine import Engine

    entries = {}
    with tempfile.TemporaryDirectory() as out:
        engine = Engine(seed=1, script_output=Path(out))
        try:
            _call(engine, "agent", "create_agent", "1")
            for interface, key in INTERFACES.items():
                entries[key] = _entry(_call(engine, interface, "describe"))
        finally:
            engine.close()
        for interface, scenario in SCENARIO_INTERFACES.items():
            engine = Engine(seed=1, script_output=Path(out), scenario=scenario)
            try:
                # Named in the contract: only a game running that scenario has the interface.
                entry = _entry(_call(engine, interface, "describe"))
                entries[interface] = {"mod": entry["mod"], "scenario": scenario, "doc": entry["doc"],
                                      "methods": entry["methods"]}
            finally:
                engine.close()
    return entries


def _dump(contract: dict[str, Any]) -> str:
    """The file's layout: one line per error code and per method, so diffs stay readable."""
    lines = ["{"]
    head = [k for k in contract if k not in ("error_codes", "interfaces")]
    for key in head:
        lines.append(f"  {json.dumps(key)}: {json.dumps(contract[key], ensure_ascii=False)},")
    lines.append('  "error_codes": {')
    codes = list(contract["error_codes"].items())
    for i, (code, text) in enumerate(codes):
        lines.append(f"    {json.dumps(code)}: {json.dumps(text, ensure_ascii=False)}{',' if i < len(codes) - 1 else ''}")
    lines.append("  },")
    lines.append('  "interfaces": {')
    names = list(contract["interfaces"])
    for i, name in enumerate(names):
        entry = contract["interfaces"][name]
        lines.append(f"    {json.dumps(name)}: {{")
        for key in [k for k in entry if k != "methods"]:
            lines.append(f"      {json.dumps(key)}: {json.dumps(entry[key], ensure_ascii=False)},")
        lines.append('      "methods": {')
        methods = list(entry["methods"].items())
        for j, (method, spec) in enumerate(methods):
            comma = "," if j < len(methods) - 1 else ""
            lines.append(f"        {json.dumps(method)}: {json.dumps(spec, ensure_ascii=False)}{comma}")
        lines.append("      }")
        lines.append(f"    }}{',' if i < len(names) - 1 else ''}")
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def expected_text(current: str | None = None) -> str:
    """The contract file with this mod's interfaces as the mod describes them."""
    contract = json.loads(TARGET.read_text(encoding="utf-8") if current is None else current)
    entries = described()
    unknown = sorted({code for e in entries.values() for m in e["methods"].values() for code in m["errors"]}
                     - set(contract["error_codes"]))
    if unknown:
        raise ValueError(f"{MOD} declares error codes remote_interfaces.json lacks: {unknown}; add them to error_codes")
    interfaces = contract["interfaces"]
    for name in [n for n, e in interfaces.items() if e.get("mod") == MOD and n not in entries]:
        del interfaces[name]  # an interface the mod no longer registers
    for key, entry in entries.items():
        interfaces[key] = entry
    return _dump(contract)


def main(argv: list[str]) -> int:
    text = expected_text()
    if "--check" in argv:
        if TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET} is stale; run python tools/gen_remote_interfaces.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
