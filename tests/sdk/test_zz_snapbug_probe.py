"""TEMPORARY probe (snapshot bug engineer): dumps fv_snapshot's watch state after the other SDK tests ran."""
import gc
from factoryverse.engine.server import GameServer


def test_probe(game):
    servers = [o for o in gc.get_objects() if isinstance(o, GameServer)]
    from factoryverse.engine.engine import Engine
    engine = [o for o in gc.get_objects() if isinstance(o, Engine)][0]
    mod = next(m for m in engine.mods if m.name == "fv_snapshot")
    st = mod.state.globals().storage.snapshot
    w = st.watch
    n = len(w.list)
    out = []
    for i in range(1, n + 1):
        ent = w.list[i]
        valid = ent.valid
        out.append((i, valid, ent.unit_number if valid else None, ent.type if valid else None))
    idx = {k: v for k, v in w.index.items()}
    inv = [(i, t) for (i, v, u, t) in out if not v]
    print("n", n, "cursor", w.cursor, "invalid", inv)
    print("index size", len(idx), "positions with index", sorted(idx.values())[:5], "...")
    bad = [(i, u) for (i, v, u, t) in out if v and idx.get(u) != i]
    print("inconsistent", bad, "missing positions", sorted(set(range(1, n + 1)) - set(idx.values())))
    print("errors", engine.mod_error_log.total, [e[:300] for e in engine.mod_errors[:5]])
    print("tick", engine.tick, "seq", st.seq if hasattr(st, 'seq') else None)
    assert False
