"""Claiming an instance id and its ports for a start under way, so two starts at once never share either.

A start writes `reserved.json` (its pid and start time, and the ports it was given) into the id's folder under a
file lock; the claim holds while that process lives, and ends with `release` or the process's death.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from factoryverse.servers._instance_errors import InstanceBusyError
from factoryverse.servers._process import same_process, start_ticks
from factoryverse.servers._records import instances_dir, read_record, record_path, state_home, write_private_json
from factoryverse.servers.ports import MAX_INSTANCES, SNAPSHOT_UDP_BASE_PORT, PortPlan, plan_ports

__all__ = ["RESERVATION", "reserve", "replan", "release"]

RESERVATION = "reserved.json"


@contextmanager
def _state_lock() -> Iterator[None]:
    """One `fv server start` at a time chooses an id: without it two starts both take the first free one."""
    with open(state_home() / "instances.lock", "a+b") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def _live_reservation(folder: Path) -> dict | None:
    """The marker of a start under way in `folder`, if its starter process is still the one that wrote it."""
    try:
        marker = json.loads((folder / RESERVATION).read_text(encoding="utf-8"))
        return marker if same_process(int(marker["pid"]), marker.get("process_start")) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no marker, or a torn one: its starter crashed before finishing it


def _busy(mine: int | None = None) -> tuple[set[int], set[int]]:
    """Ids in use (a live server or a start under way) and every port, of any role, promised to them; the start
    under way for id `mine` (our own) is not counted."""
    ids: set[int] = set()
    ports: set[int] = set()
    for folder in instances_dir().iterdir():
        if not folder.is_dir() or not folder.name.isdigit() or folder.name == str(mine):
            continue
        inst = read_record(folder / "instance.json")
        if inst is not None and inst.alive():
            ids.add(int(folder.name))
            ports |= {p for p in (inst.rcon_port, inst.game_udp_port, inst.snapshot_udp_port, *inst.agent_udp_ports)
                      if p}
        else:
            marker = _live_reservation(folder)
            if marker is not None:
                ids.add(int(folder.name))
                # Markers of an older fv name only the snapshot port.
                ports |= set(marker.get("ports") or [marker.get("snapshot_udp_port",
                                                                SNAPSHOT_UDP_BASE_PORT + int(folder.name))])
    return ids, ports


def reserve(instance_id: int | None, *, rcon_any: bool = True,
             prefer: PortPlan | None = None) -> tuple[int, PortPlan]:
    """Claim an id (the lowest free one, or the one asked for), its folder and its ports (see ports.plan_ports)."""
    with _state_lock():
        busy_ids, promised = _busy()
        if instance_id is None:
            free = [i for i in range(MAX_INSTANCES) if i not in busy_ids]
            if not free:
                raise InstanceBusyError(
                    f"all {MAX_INSTANCES} instance ids are in use; stop some with `fv server stop <id>` or --all"
                )
            iid = free[0]
        elif instance_id in busy_ids:
            raise InstanceBusyError(
                f"instance {instance_id} is running or being started; stop it first with "
                f"`fv server stop {instance_id}`, or start without an id to get a free one"
            )
        else:
            iid = instance_id
        # Chosen under the lock too, so two starts falling back at once cannot pick the same port.
        plan = plan_ports(iid, promised, rcon_any=rcon_any, prefer=prefer)
        folder = record_path(iid).parent
        folder.mkdir(parents=True, exist_ok=True)
        write_private_json(
            folder / RESERVATION,
            {"pid": os.getpid(), "process_start": start_ticks(os.getpid()), "snapshot_udp_port": plan.snapshot_udp,
             "ports": sorted(plan.all_ports())},
        )
    return iid, plan


def replan(iid: int, lost: PortPlan, *, rcon_any: bool = False) -> PortPlan:
    """New ports for a start under way whose RCON port another program took; the reservation names them."""
    with _state_lock():
        _, promised = _busy(mine=iid)
        plan = plan_ports(iid, promised | {lost.rcon}, rcon_any=rcon_any, prefer=lost)
        marker = record_path(iid).parent / RESERVATION
        write_private_json(marker, {"pid": os.getpid(), "process_start": start_ticks(os.getpid()),
                                     "snapshot_udp_port": plan.snapshot_udp, "ports": sorted(plan.all_ports())})
    return plan


def release(iid: int) -> None:
    try:
        (record_path(iid).parent / RESERVATION).unlink()
    except FileNotFoundError:
        pass
