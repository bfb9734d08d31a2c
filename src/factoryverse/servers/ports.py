"""Every port a server instance uses, by role, on the seed's scheme (FactoryVerse design, Appendix A.1).

Instance N wants RCON TCP 27000+N, game UDP 34197+N, snapshot UDP 34400+N (where fv_snapshot sends its deltas) and
ten agent UDP ports from 34202+10N. The first of those ten is the game's own Lua UDP socket on a real server
(`--enable-lua-udp`, one socket that both receives and is the source of everything the mods send); the other nine
are for the action listeners of that server's clients (the SDK's `ActionListener(host, port)`).

The scheme overlaps itself: game UDP 34202 (instance 5) is instance 0's first agent port, and the agent blocks of
instances 20 and up run into the snapshot range. A port that another live instance holds for any role, or that
another program has bound, is not taken: the role gets a free port outside every scheme range instead, and
`fallback_notes` says so (`fv server start` prints it).
"""

from __future__ import annotations

import socket
from dataclasses import asdict, dataclass

from factoryverse.servers._ports import pick_free_port, tcp_port_bindable, udp_port_free

__all__ = [
    "RCON_BASE_PORT",
    "GAME_UDP_BASE_PORT",
    "SNAPSHOT_UDP_BASE_PORT",
    "AGENT_UDP_BASE_PORT",
    "AGENT_UDP_PER_SERVER",
    "MAX_INSTANCES",
    "PortPlan",
    "scheme_ports",
    "plan_ports",
    "fallback_notes",
]

RCON_BASE_PORT = 27000
GAME_UDP_BASE_PORT = 34197
SNAPSHOT_UDP_BASE_PORT = 34400
AGENT_UDP_BASE_PORT = 34202
AGENT_UDP_PER_SERVER = 10
MAX_INSTANCES = 100
_HOST = "127.0.0.1"
# Fallback blocks of agent ports are searched above every scheme range, so a fallback never takes a port that a
# later instance's scheme wants.
_AGENT_FALLBACK_FROM = AGENT_UDP_BASE_PORT + AGENT_UDP_PER_SERVER * MAX_INSTANCES


@dataclass
class PortPlan:
    """One instance's ports by role; `rcon` 0 means "any free port", chosen by whoever binds it."""

    rcon: int
    game_udp: int
    snapshot_udp: int
    agent_udp: list[int]

    def all_ports(self) -> set[int]:
        return {p for p in (self.rcon, self.game_udp, self.snapshot_udp, *self.agent_udp) if p}

    def as_dict(self) -> dict:
        return asdict(self)


def scheme_ports(instance_id: int) -> PortPlan:
    """The ports instance `instance_id` wants, before checking that any of them is free."""
    first_agent = AGENT_UDP_BASE_PORT + AGENT_UDP_PER_SERVER * instance_id
    return PortPlan(
        rcon=RCON_BASE_PORT + instance_id,
        game_udp=GAME_UDP_BASE_PORT + instance_id,
        snapshot_udp=SNAPSHOT_UDP_BASE_PORT + instance_id,
        agent_udp=list(range(first_agent, first_agent + AGENT_UDP_PER_SERVER)),
    )


def _scheme_udp() -> set[int]:
    ports: set[int] = set()
    for i in range(MAX_INSTANCES):
        plan = scheme_ports(i)
        ports |= {plan.game_udp, plan.snapshot_udp, *plan.agent_udp}
    return ports


def _free_udp(avoid: set[int]) -> int:
    return pick_free_port(_HOST, avoid, socket.SOCK_DGRAM)


def _free_tcp(avoid: set[int]) -> int:
    return pick_free_port(_HOST, avoid, socket.SOCK_STREAM)


def _free_udp_block(avoid: set[int], count: int) -> list[int]:
    start = _AGENT_FALLBACK_FROM
    while start + count <= 65536:
        block = list(range(start, start + count))
        clash = next((p for p in block if p in avoid or not udp_port_free(_HOST, p)), None)
        if clash is None:
            return block
        start = clash + 1
    raise OSError(f"no {count} consecutive free UDP ports above {_AGENT_FALLBACK_FROM}")


def plan_ports(instance_id: int, promised: set[int], *, rcon_any: bool = True,
               prefer: PortPlan | None = None) -> PortPlan:
    """Instance `instance_id`'s ports: for each role the `prefer`red port (a restart keeping its ports) or else the
    scheme's, where free; a free port outside every scheme range where not.

    `promised` holds every port live instances (or starts under way) hold for any role. With `rcon_any` a taken RCON
    port becomes 0, for a server that binds port 0 itself and reports what it got (the embedded engine: no race
    between the probe and the bind); otherwise a free port is chosen here. A preferred port of 0 (or no agent
    ports) means no preference for that role.
    """
    want = scheme_ports(instance_id)
    plan = scheme_ports(instance_id)
    avoid = set(promised) | _scheme_udp()

    def candidates(role: str) -> list:
        preferred = getattr(prefer, role) if prefer is not None else None
        return [c for c in (preferred, getattr(want, role)) if c]

    rcon = next((c for c in candidates("rcon") if c not in promised and tcp_port_bindable(_HOST, c)), None)
    if rcon is None:
        scheme_rcon = set(range(RCON_BASE_PORT, RCON_BASE_PORT + MAX_INSTANCES))
        rcon = 0 if rcon_any else _free_tcp(set(promised) | scheme_rcon)
    plan.rcon = rcon
    for role in ("game_udp", "snapshot_udp"):
        taken = plan.all_ports() - {getattr(plan, role)}
        port = next((c for c in candidates(role) if c not in promised and c not in taken
                     and udp_port_free(_HOST, c)), None)
        setattr(plan, role, port if port is not None else _free_udp(avoid | taken))
    others = plan.all_ports() - set(plan.agent_udp)
    block = next((c for c in candidates("agent_udp")
                  if not any(p in promised or p in others or not udp_port_free(_HOST, p) for p in c)), None)
    plan.agent_udp = list(block) if block is not None else _free_udp_block(avoid | others, AGENT_UDP_PER_SERVER)
    return plan


def fallback_notes(instance_id: int, plan: PortPlan) -> list[str]:
    """One line per role whose port is not the scheme's, saying which it wanted and which it got."""
    want = scheme_ports(instance_id)
    notes = []
    if plan.rcon != want.rcon:
        notes.append(f"RCON port {want.rcon} was in use, so it listens on {plan.rcon}")
    if plan.game_udp and plan.game_udp != want.game_udp:
        notes.append(f"game UDP port {want.game_udp} was in use, so it uses {plan.game_udp}")
    if plan.snapshot_udp != want.snapshot_udp:
        notes.append(f"snapshot UDP port {want.snapshot_udp} was in use, so it sends to {plan.snapshot_udp}")
    if plan.agent_udp and plan.agent_udp != want.agent_udp:
        notes.append(f"agent UDP ports {want.agent_udp[0]}-{want.agent_udp[-1]} were not all free, so its ten are "
                     f"{plan.agent_udp[0]}-{plan.agent_udp[-1]}")
    return notes
