"""Every script in examples/ runs as a user runs it (a separate Python process, `--server ID`) against a real
embedded server started as `fv server start` starts one; what it prints is checked against the game's rules."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from factoryverse.servers.instances import Instance
from tests.servers._instance import running_instance

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# Bound on one script: a Python start, a few walks and mining actions, smelting ten plates in fast mode.
SCRIPT_TIMEOUT = 120


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    with running_instance(tmp_path_factory.mktemp("fv_home")) as inst:
        yield inst


def run_example(server: Instance, name: str) -> str:
    env = dict(os.environ)  # running_instance pointed FACTORYVERSE_HOME at this server's records
    done = subprocess.run([sys.executable, str(EXAMPLES / name), "--server", str(server.id)], cwd=EXAMPLES.parent,
                          env=env, capture_output=True, text=True, timeout=SCRIPT_TIMEOUT)
    assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_every_example_has_a_test():
    scripts = {p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")}
    tested = set(re.findall(r'run_example\(server, "([^"]+)"\)', Path(__file__).read_text()))
    assert scripts == tested


def test_first_steps(server):
    out = run_example(server, "first_steps.py")
    assert re.search(r"^iron-ore patch \d+: \d+ tiles, \d+ ore$", out, re.M), out
    assert "\nmined 25 iron-ore\n" in out
    assert "crafting iron-plate by hand: refused (CraftRefusedError)\n" in out
    assert out.endswith("iron-ore in the inventory: 25\n")


def test_smelt_iron_plates(server):
    out = run_example(server, "smelt_iron_plates.py")
    assert out.startswith("mined 5 stone\ncrafted a stone-furnace\nmined 5 coal\nmined 10 iron-ore\nplaced stone-furnace")
    assert "iron-plate in the inventory: 10\n" in out
    assert "stone-furnace (furnace) at" in out and "output: empty" in out


def test_map_queries(server):
    out = run_example(server, "map_queries.py")
    assert re.search(r"^\d+ burner mining drills on the map$", out, re.M), out
    assert re.search(r"^iron-ore patch \d+: \d+ tiles around POINT", out, re.M), out
    assert "ghost of assembling-machine-1 (assembling-machine)" in out and "[remote]" in out
    assert out.endswith("ghosts left after removing: 0\n")
