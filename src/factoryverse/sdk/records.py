"""What the mods answer to control calls: stopping an action under way, and configuring the snapshot.

Each model has the fields the method's `returns` declares in remote_interfaces.json (tests/sdk/test_payloads.py
holds them to it); a mutation's answer also carries the snapshot `seq` it caused, when it caused any.
"""

from __future__ import annotations

from factoryverse.sdk.types import _Model, _Pos

__all__ = ["StopWalkingResult", "StopMiningResult", "SnapshotConfig"]


class StopWalkingResult(_Model):
    """What stopping a walk answers: whether one was under way, its action id, and where the character stands.

    `stopped` is False (and `action_id` None) when the agent was not walking; the stopped walk's own
    walk_to then fails as cancelled.

    Example: `halt = await walking.stop(); halt.stopped, halt.position`
    """

    stopped: bool
    action_id: int | None = None
    position: _Pos
    seq: int | None = None


class StopMiningResult(_Model):
    """What stopping hand mining answers: whether it was under way, its action id, and how many it had mined.

    `stopped` is False (and `action_id` and `count` None) when the agent was not mining.

    Example: `halt = await mining.stop(); halt.count if halt.stopped else 0`
    """

    stopped: bool
    action_id: int | None = None
    count: int | None = None
    seq: int | None = None


class SnapshotConfig(_Model):
    """fv_snapshot's settings after set_snapshot_config: its UDP port, its run id, and whether a new run began.

    `new_run` is True when the call gave a run id new to the game: the previous run's files are gone and the
    snapshot starts again with seq 1. `run_id` is None until the first one is given.

    Example: `config = await game.configure_snapshot(run_id='run-1'); config.new_run`
    """

    udp_port: int
    run_id: str | None = None
    new_run: bool
