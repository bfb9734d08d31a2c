"""`require` as real mods write it: `__mod__.dir.file` with dots as folders, `dir.file` and `dir/file`, core's
lualib by name or by `__core__.lualib.x`, and the game's error text for a missing file or mod (Factorio's
"Libraries and functions" page; the error text as players report it, e.g. "module core.event not found;  no such
file __helmod__/core/event.lua ...")."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine

from .modkit import write_mod


def _engine(tmp_path) -> Engine:
    return Engine(seed=1, mods_dir=tmp_path, starting_chunks=1)


def _probe(tmp_path, control: str, extra: dict[str, str] | None = None) -> str:
    """Run `control` (which sets `result`) as a mod's control.lua; return `result` as text."""
    files = {"control.lua": control + "\nremote.add_interface('probe', {r = function() return tostring(result) end})"}
    write_mod(tmp_path, "probe", {**files, **(extra or {})})
    return _engine(tmp_path).execute_command("/sc rcon.print(remote.call('probe', 'r'))")


@pytest.fixture
def lib_mod(tmp_path):
    write_mod(tmp_path, "flib", {"gui.lua": "return {name = 'flib gui'}", "data/util.lua": "return 'deep'"},
              dependencies=("base",))
    return tmp_path


def test_mod_prefix_with_dots_turns_dots_into_folders(lib_mod):
    reply = _probe(lib_mod, "local a = require('__flib__.gui') local b = require('__flib__/gui') "
                            "local c = require('__flib__.data.util') result = a.name .. ' ' .. tostring(a == b) .. ' ' .. c")
    assert reply == "flib gui true deep"


def test_core_lualib_by_mod_path_with_dots_is_the_same_module_as_by_name(tmp_path):
    reply = _probe(tmp_path, "local a = require('__core__.lualib.mod-gui') local b = require('mod-gui') "
                             "local c = require('__core__/lualib/util') "
                             "result = tostring(a == b) .. ' ' .. type(a.get_button_flow) .. ' ' .. type(c.table.deepcopy)")
    assert reply == "true function function"


@pytest.mark.parametrize("lib, member", [
    ("util", "distance"), ("mod-gui", "get_frame_flow"), ("event_handler", "add_libraries"),
    ("math2d", "position"), ("math3d", "vector3"), ("collision-mask-util", "get_mask"),
])
def test_core_lualib_files_mods_require_are_there(tmp_path, lib, member):
    assert _probe(tmp_path, f"result = type(require('{lib}').{member})") in ("function", "table")


def test_dotted_and_slashed_relative_forms(tmp_path):
    reply = _probe(tmp_path, "local a = require('scripts.gui.main') local b = require('scripts/gui/main') "
                             "result = tostring(a == b) .. ' ' .. a",
                   {"scripts/gui/main.lua": "return 'main'"})
    assert reply == "true main"


def test_missing_file_gives_the_games_text_with_every_place_looked(tmp_path):
    reply = _probe(tmp_path, "local ok, err = pcall(require, 'core.event') result = err",
                   {"lib/x.lua": ""})
    assert ("module core.event not found;  no such file __probe__/core/event.lua no such file "
            "__probe__/core/event.lua no such file __core__/lualib/core/event.lua") in reply


def test_missing_file_required_from_a_subfolder_names_the_subfolder_first(tmp_path):
    reply = _probe(tmp_path, "result = require('lib.x')",
                   {"lib/x.lua": "local ok, err = pcall(require, 'nope') return err"})
    assert ("module nope not found;  no such file __probe__/lib/nope.lua no such file __probe__/nope.lua "
            "no such file __core__/lualib/nope.lua") in reply


def test_missing_file_in_another_mod(lib_mod):
    reply = _probe(lib_mod, "local ok, err = pcall(require, '__flib__.tiers') result = err")
    assert "module __flib__.tiers not found;  no such file __flib__/tiers.lua" in reply


def test_a_mod_that_is_not_loaded(tmp_path):
    reply = _probe(tmp_path, "local ok, err = pcall(require, '__nomod__.gui') result = err")
    assert "Path __nomod__/gui.lua does not match any enabled mod." in reply


def test_parent_folder_paths_are_refused(tmp_path):
    (tmp_path / "outside.lua").write_text("return 'escaped'")
    reply = _probe(tmp_path, "local ok, err = pcall(require, '../outside') result = err")
    assert "module ../outside not found" in reply
