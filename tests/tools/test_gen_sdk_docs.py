"""tools/gen_sdk_docs.py: the committed SDK reference (human and compact) is what the SDK's code says now."""

from __future__ import annotations

import importlib.util
import re
import sys
import typing
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator

import factoryverse.sdk as sdk

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("gen_sdk_docs", ROOT / "tools" / "gen_sdk_docs.py")
gen = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = gen  # its dataclasses look their module up while being defined
_spec.loader.exec_module(gen)  # type: ignore[union-attr]
surface = sys.modules["sdk_surface"]  # what gen_sdk_docs reads the SDK with


def test_the_committed_references_are_up_to_date():
    for path, text in gen.outputs().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.relative_to(ROOT)} is stale; run `make docs`"


def test_check_mode_fails_on_stale_files_and_passes_once_written(tmp_path):
    human, compact = tmp_path / "ref.md", tmp_path / "ref.txt"
    assert gen.main(["--check"], human, compact) == 1  # missing counts as stale
    assert not human.exists()  # --check never writes
    assert gen.main([], human, compact) == 0
    assert gen.main(["--check"], human, compact) == 0
    compact.write_text(compact.read_text(encoding="utf-8").replace("walk", "run", 1), encoding="utf-8")
    assert gen.main(["--check"], human, compact) == 1


def test_the_compact_reference_has_one_line_per_public_method_and_error():
    lines = gen.compact().splitlines()
    for doc in surface.public_classes():
        heads = [ln for ln in lines if re.match(rf"{doc.name}\b[ ({{=]", ln)]
        assert len(heads) == 1, doc.name
        start = lines.index(heads[0])
        body = []
        for ln in lines[start + 1:]:
            if not ln.startswith("  "):
                break
            body.append(ln)
        for member in doc.members:
            matching = [ln for ln in body if re.match(rf"  (await )?{re.escape(member.name)}\b", ln)]
            assert len(matching) == 1, f"{doc.name}.{member.name}"
    for name in sdk.__all__:
        obj = getattr(sdk, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert sum(ln.startswith(f"{name}(") for ln in lines) == 1, name


def test_the_human_reference_names_every_public_name_and_error_code():
    text = gen.human()
    for name in sdk.__all__:
        assert f"`{name}" in text or f"### {name}\n" in text, name
    from factoryverse.sdk import errors

    for cls in surface.error_classes():
        code = getattr(cls, "code", None)
        row = next(ln for ln in text.splitlines() if ln.startswith(f"| `{cls.__name__}` |"))
        if code:
            assert f"`{code}`" in row
        assert surface.summary(surface.docstring(cls)) in row.replace("\\|", "|")
    assert errors.error_class_for_code("out_of_reach").__name__ in text


def test_types_are_written_as_a_reader_writes_them():
    from factoryverse.sdk.types import Position

    assert surface.type_text(list[Position] | None) == "list[Position] | None"
    assert surface.type_text(typing.Optional[Annotated[Position, BeforeValidator(lambda v: v)]]) == "Position | None"
    assert surface.type_text(Literal["left", "right"]) == "Literal['left', 'right']"
    assert surface.type_text("dict[str, factoryverse.sdk.types.Position]") == "dict[str, Position]"
    # A validator's repr holds its address, which would make every run's output differ.
    assert not re.search(r"0x[0-9a-f]{6,}", gen.compact() + gen.human())


def test_examples_and_summaries_are_read_from_docstrings():
    doc = "Walk somewhere.\n\nMore text. Second sentence.\n\nExample: `await walking.to(MapPosition(1, 2))`"
    assert surface.has_example(doc)
    assert surface.example(doc) == "await walking.to(MapPosition(1, 2))"
    assert surface.summary("One line\ncontinued.\n\nNext.") == "One line continued."
    assert surface.first_sentence("Stop it. Then go, e.g. north.") == "Stop it."
    doctest = "Add.\n\n>>> Position(1, 2).offset(1, 0)\nPosition(2, 2)"
    assert surface.has_example(doctest) and surface.example(doctest) == "Position(1, 2).offset(1, 0)"
    assert not surface.has_example("An example of nothing: see walking.to.")
    block = "Do.\n\nExample:\n    a = 1\n    await b(a)"
    assert surface.example(block) == "a = 1; await b(a)"


def test_every_code_the_mods_declare_is_listed_with_the_error_the_sdk_raises():
    from factoryverse.schemas import load_remote_interfaces
    from factoryverse.sdk.errors import error_class_for_code

    text = gen.human()
    for code in load_remote_interfaces()["error_codes"]:
        assert f"| `{code}` | `{error_class_for_code(code).__name__}` |" in text, code
