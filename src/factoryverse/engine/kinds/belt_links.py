"""Relinking belts: rebuild the transport lines (mechanics/transport_line.py) around belt-like entities that were
built, turned, moved or removed, keeping their items where they lay (kinds/belt.py says how pieces join into lines).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from factoryverse.engine.mechanics.transport_line import ITEM, Line

if TYPE_CHECKING:
    from factoryverse.engine.world.entity import Entity
    from factoryverse.engine.world.world import World

__all__ = ["relink"]


def relink(world: World, seeds: list[Entity], gone: Entity | None = None) -> None:
    """Rebuild every line through `seeds`, their neighbours and whatever feeds or is fed by them."""
    from factoryverse.engine.kinds.belt import BELT_TYPES, reschedule  # belt.py imports this module

    tick = world.tick
    scope: dict[int, Entity] = {}
    queue: list[Entity] = []

    def add(e: Entity) -> None:
        if e.valid and e.oid not in scope and e.kind.types[0] in BELT_TYPES and e.state is not None:
            scope[e.oid] = e
            queue.append(e)

    changed_set: list[Entity] = []
    for s in seeds:
        if s.valid:
            changed_set.append(s)
            changed_set.extend(s.kind.neighbours(world, s))  # type: ignore[attr-defined]
    if gone is not None:
        changed_set.extend(gone.kind.neighbours(world, gone))  # type: ignore[attr-defined]
    k = 0
    while k < len(changed_set):  # newly built (unlinked) neighbours change too: their neighbours may turn
        c = changed_set[k]
        k += 1
        if c.valid and not c.state.linked and c.oid not in scope:
            for n in c.kind.neighbours(world, c):  # type: ignore[attr-defined]
                if not n.state.linked and n not in changed_set:
                    changed_set.append(n)
        add(c)
    for c in list(scope.values()):
        c.kind.link_shape(world, c)  # type: ignore[attr-defined]
    # Whatever feeds a changed entity or is fed by it, and every line through anything in scope, is rebuilt.
    for c in list(scope.values()):
        for p in range(c.kind.pieces):  # type: ignore[attr-defined]
            rel = c.kind.relation(world, c, p)  # type: ignore[attr-defined]
            if rel is not None:
                add(rel[1])
        for n in c.kind.neighbours(world, c):  # type: ignore[attr-defined]
            if any((r := n.kind.relation(world, n, p)) is not None and r[1] is c for p in range(n.kind.pieces)):  # type: ignore[attr-defined]
                add(n)
    old_lines: dict[tuple[int, int], Line] = {}
    i = 0
    while i < len(queue):
        e = queue[i]
        i += 1
        for lane in e.state.lanes:
            if lane is None:
                continue
            host, kk, _ = lane
            line = host.state.hosted[kk] if kk < len(host.state.hosted) else None
            if line is None or (host.oid, kk) in old_lines:
                continue
            old_lines[(host.oid, kk)] = line
            for piece in line.pieces:
                if piece[0] is not gone:
                    add(piece[0])
    for e in scope.values():  # shapes of entities pulled in by their lines may have changed too
        e.kind.link_shape(world, e)  # type: ignore[attr-defined]
    # Take the items off the old lines, remembering the piece and offset each lay at.
    stash: dict[tuple[int, int], list[tuple[int, str]]] = {}
    waiters: dict[int, Entity] = {}
    for line in old_lines.values():
        line.advance(tick)
        waiters.update(line.waiters)
        d = 0
        for name, g in zip(line.names, line.gaps):
            d += g
            s = line.length - d
            for piece in line.pieces:
                pe, p, start, length = piece
                if start <= s <= start + length or piece is line.pieces[0] and s < start:
                    if pe is not gone and pe.valid:
                        stash.setdefault((pe.oid, p), []).append((max(0, s - start), name))
                    break
    for e in scope.values():
        e.state.hosted = []
        e.state.lanes = [None] * e.kind.pieces  # type: ignore[attr-defined]
    _build(world, list(scope.values()), stash, tick)
    for e in scope.values():
        e.state.linked = True
        e.state.anchor = (e.x, e.y, e.direction)
        reschedule(world, e)
    for w in waiters.values():
        if w.valid and w.oid not in scope:
            world.wake(w)


def _build(world: World, ents: list[Entity], stash: dict[tuple[int, int], list[tuple[int, str]]], tick: int) -> None:
    inside = {e.oid for e in ents}
    rel: dict[tuple[int, int], tuple[str, Entity, int, int] | None] = {}
    fed: set[tuple[int, int]] = set()
    for e in ents:
        for p in range(e.kind.pieces):  # type: ignore[attr-defined]
            r = e.kind.relation(world, e, p)  # type: ignore[attr-defined]
            rel[(e.oid, p)] = r
            if r is not None and r[0] == "cont" and r[1].oid in inside:
                fed.add((r[1].oid, r[2]))
    done: set[tuple[int, int]] = set()
    starts = [(e, p) for e in ents for p in range(e.kind.pieces) if (e.oid, p) not in fed]  # type: ignore[attr-defined]
    loops = [(e, p) for e in ents for p in range(e.kind.pieces) if (e.oid, p) in fed]  # type: ignore[attr-defined]
    for e, p in starts + loops:
        if (e.oid, p) in done:
            continue
        pieces: list[list] = []
        cur: tuple[Entity, int] | None = (e, p)
        start = 0
        out = None
        while cur is not None:
            ce, cp = cur
            done.add((ce.oid, cp))
            length = ce.kind.piece_length(world, ce, cp)  # type: ignore[attr-defined]
            pieces.append([ce, cp, start, length])
            start += length
            r = rel[(ce.oid, cp)]
            cur = None
            if r is None:
                break
            how, t, tp, off = r
            if how == "cont" and t.oid in inside and (t.oid, tp) not in done:
                cur = (t, tp)
            else:
                out = [t, tp, off]
        host = pieces[-1][0]
        line = Line(host, pieces, host.kind.speed(host), tick)  # type: ignore[attr-defined]
        line.out = out
        k = len(host.state.hosted)
        host.state.hosted.append(line)
        items: list[tuple[int, int, str]] = []  # (distance to end, order, name)
        for pe, pp, pstart, plen in pieces:
            pe.state.lanes[pp] = [host, k, pstart]
            for off, name in stash.pop((pe.oid, pp), []):
                items.append((line.length - (pstart + min(off, plen)), len(items), name))
        items.sort()
        last = None
        for d, _, name in items:
            if last is not None and d < last + ITEM:
                d = last + ITEM  # a shorter lane (a new curve) pushes items back
            line.gaps.append(d - (last or 0))
            line.names.append(name)
            last = d
        line.plan(tick)
