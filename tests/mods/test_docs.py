"""docs/mods.md documents every remote method the contract declares, so a method added to a mod's declarations
without a word in the docs fails here (the contract itself is generated from the declarations and checked by
test_embodied_agent.py and test_placement_hints.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_declared_method_is_in_the_mods_docs():
    contract = json.loads((ROOT / "src" / "factoryverse" / "schemas" / "remote_interfaces.json").read_text("utf-8"))
    docs = (ROOT / "docs" / "mods.md").read_text(encoding="utf-8")
    missing = [f"{interface}.{method}" for interface, spec in contract["interfaces"].items()
               for method in spec["methods"] if not re.search(rf"`{re.escape(method)}[`(]", docs)]
    assert len(contract["interfaces"]) >= 7 and not missing, missing
