"""tools/api_coverage.py: the committed report is the script's output, and it counts what the registry binds."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from factoryverse.engine.api.members import load_members
from factoryverse.engine.api.registry import ApiRegistry, api_base, api_class

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("api_coverage", ROOT / "tools" / "api_coverage.py")
coverage = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(coverage)  # type: ignore[union-attr]


def test_the_committed_report_is_up_to_date():
    doc = ROOT / "docs" / "api-coverage.md"
    assert doc.read_text(encoding="utf-8") == coverage.report(), "docs/api-coverage.md is stale; run `make coverage`"


def test_check_mode_fails_on_a_stale_file(tmp_path):
    stale = tmp_path / "cov.md"
    stale.write_text("old\n", encoding="utf-8")
    assert coverage.main(["--check", str(stale)]) == 1
    coverage.main(["--write", str(stale)])
    assert coverage.main(["--check", str(stale)]) == 0


def test_counts_own_and_inherited_members_per_version():
    registry = ApiRegistry()
    entity = api_class("LuaEntity", registry)  # valid and object_name come with every class
    entity.getter("name_tag")(lambda state, obj: None)
    api_base("LuaControl", registry).method("clear_items_inside")(lambda state, obj: None)
    assert coverage.implemented("LuaEntity", registry) == {"valid", "object_name", "name_tag", "clear_items_inside"}
    text = coverage.report(registry)
    members = load_members()
    for version in members.versions:
        total = len(members.class_members("LuaEntity", version))
        assert f"| LuaEntity | 4 / {total} |" in text or f"| 4 / {total} |" in text
    assert "### LuaEntity" in text and "`health`" in text
    assert "### LuaSurface" not in text  # nothing implemented: only in the table
