"""Every role's port on the seed's scheme (design Appendix A.1), and the fallback when one is taken."""

from __future__ import annotations

import socket

from factoryverse.servers import ports
from factoryverse.servers.ports import PortPlan, fallback_notes, plan_ports, scheme_ports


def _scheme_udp() -> set[int]:
    out: set[int] = set()
    for i in range(ports.MAX_INSTANCES):
        p = scheme_ports(i)
        out |= {p.game_udp, p.snapshot_udp, *p.agent_udp}
    return out


def test_the_scheme_is_the_seeds():
    assert scheme_ports(0) == PortPlan(rcon=27000, game_udp=34197, snapshot_udp=34400,
                                       agent_udp=list(range(34202, 34212)))
    assert scheme_ports(3) == PortPlan(rcon=27003, game_udp=34200, snapshot_udp=34403,
                                       agent_udp=list(range(34232, 34242)))


def test_ports_promised_to_live_instances_are_not_taken_and_the_notes_say_so():
    want = scheme_ports(2)
    promised = {want.rcon, want.snapshot_udp, want.agent_udp[4]}
    plan = plan_ports(2, promised, rcon_any=False)
    assert plan.game_udp == want.game_udp  # its own, free
    assert plan.rcon not in promised and not 27000 <= plan.rcon < 27100
    assert plan.snapshot_udp not in _scheme_udp()
    assert len(plan.agent_udp) == 10 and plan.agent_udp == list(range(plan.agent_udp[0], plan.agent_udp[0] + 10))
    assert not set(plan.agent_udp) & (_scheme_udp() | promised)
    notes = fallback_notes(2, plan)
    assert f"RCON port {want.rcon} was in use, so it listens on {plan.rcon}" in notes
    assert f"snapshot UDP port {want.snapshot_udp} was in use, so it sends to {plan.snapshot_udp}" in notes
    assert (f"agent UDP ports {want.agent_udp[0]}-{want.agent_udp[-1]} were not all free, so its ten are "
            f"{plan.agent_udp[0]}-{plan.agent_udp[-1]}") in notes
    assert not any("game UDP" in n for n in notes)


def test_the_schemes_own_overlap_is_resolved_not_shared():
    """Instance 5's game port 34202 is instance 0's first agent port: whichever comes second moves."""
    zero = plan_ports(0, set())
    five = plan_ports(5, zero.all_ports())
    assert 34202 in zero.agent_udp and five.game_udp != 34202
    assert not zero.all_ports() & five.all_ports()


def test_a_port_another_program_holds_moves_that_role_only():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as holder:
        want = scheme_ports(7)
        holder.bind(("127.0.0.1", want.agent_udp[9]))
        plan = plan_ports(7, set())
    assert want.agent_udp[9] not in plan.agent_udp
    assert fallback_notes(7, plan)[-1].startswith("agent UDP ports 34272-34281 were not all free")


def test_a_taken_rcon_port_is_left_to_a_server_that_binds_port_0():
    plan = plan_ports(1, {27001}, rcon_any=True)
    assert plan.rcon == 0


def test_preferred_ports_are_kept_where_free_and_the_scheme_taken_where_not():
    """A restart asks for the ports it had; one now held by another instance falls back as any taken port does."""
    had = PortPlan(rcon=40001, game_udp=40002, snapshot_udp=40003, agent_udp=list(range(40010, 40020)))
    assert plan_ports(4, set(), rcon_any=False, prefer=had) == had
    moved = plan_ports(4, {40003}, rcon_any=False, prefer=had)
    assert (moved.rcon, moved.game_udp, moved.agent_udp) == (had.rcon, had.game_udp, had.agent_udp)
    assert moved.snapshot_udp == scheme_ports(4).snapshot_udp
    # No preference for a role (the embedded engine's game port 0): the scheme's.
    assert plan_ports(4, set(), prefer=PortPlan(rcon=40001, game_udp=0, snapshot_udp=40003, agent_udp=[])).game_udp \
        == scheme_ports(4).game_udp


def test_public_api_is_pinned():
    assert set(ports.__all__) == {"RCON_BASE_PORT", "GAME_UDP_BASE_PORT", "SNAPSHOT_UDP_BASE_PORT",
                                  "AGENT_UDP_BASE_PORT", "AGENT_UDP_PER_SERVER", "MAX_INSTANCES", "PortPlan",
                                  "scheme_ports", "plan_ports", "fallback_notes"}
