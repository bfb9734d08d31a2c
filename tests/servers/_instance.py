"""A real embedded server under a throwaway state home, for the MCP and dashboard tests."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from factoryverse.servers.instances import Instance, configure_instance, start_instance, stop_instance
from factoryverse.servers import operations

__all__ = ["running_instance", "wait_snapshot_complete", "place_chest"]

_SNAPSHOT_TIMEOUT_S = 60.0
_STATUS_LUA = "rcon.print(helpers.table_to_json(remote.call('map', 'get_snapshot_status')))"


def wait_snapshot_complete(inst: Instance) -> dict:
    """Poll fv_snapshot's status over RCON until the bootstrap snapshot is complete (bounded)."""
    deadline = time.monotonic() + _SNAPSHOT_TIMEOUT_S
    while True:
        status = json.loads(operations.run_lua(inst.id, _STATUS_LUA))
        if status["phase"] == "complete":
            return status
        if time.monotonic() > deadline:
            raise TimeoutError(f"fv_snapshot did not complete within {_SNAPSHOT_TIMEOUT_S:.0f} s: {status}")
        time.sleep(0.05)


def place_chest(inst: Instance, x: float, y: float) -> int:
    """Build a wooden chest through the game (raise_built, so fv_snapshot logs it) and return its unit_number."""
    reply = operations.run_lua(
        inst.id,
        "local e = game.surfaces[1].create_entity{name = 'wooden-chest', position = {%r, %r}, force = 'player', "
        "raise_built = true} rcon.print(e.unit_number)" % (x, y),
    )
    return int(reply)


@contextmanager
def running_instance(home: Path, *, seed: int = 1) -> Iterator[Instance]:
    """Start and configure one fast-mode instance with FACTORYVERSE_HOME=home, wait for its snapshot, stop it after."""
    old = os.environ.get("FACTORYVERSE_HOME")
    os.environ["FACTORYVERSE_HOME"] = str(home)
    inst = None
    try:
        inst = start_instance(seed=seed, mode="fast")
        configure_instance(inst)  # fv_snapshot writes nothing until it has the run id
        wait_snapshot_complete(inst)
        yield inst
    finally:
        if inst is not None:
            stop_instance(inst)
        if old is None:
            os.environ.pop("FACTORYVERSE_HOME", None)
        else:
            os.environ["FACTORYVERSE_HOME"] = old
