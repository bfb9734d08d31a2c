"""A save's columns as bytes (engine/save/_columns.py and its C side, _ccolumns.c, built by `make cslots`; the test
builds it when it is missing): every column comes back with the same values of the same types and the same table
objects, the C module and the Python fallback write the same bytes (a save from one loads with the other), owned
containers are made anew only when no container is met twice, and a damaged column is a ColumnError."""

from __future__ import annotations

import importlib
import math
import pickle
import random
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tools" / "save"))
import build_cslots  # noqa: E402

from factoryverse.engine.save import _columns  # noqa: E402
from factoryverse.engine.save._columns import ColumnError, Encoder, decode, decode_list, unpack  # noqa: E402


@pytest.fixture(scope="module")
def ccolumns():
    assert build_cslots.main() == 0, "the C column codec did not build: install gcc and Python's headers"
    return importlib.import_module("factoryverse.engine.save._ccolumns")


@pytest.fixture(params=["c", "python"])
def impl(request, ccolumns, monkeypatch):
    monkeypatch.setattr(_columns, "_ccolumns", ccolumns if request.param == "c" else None)
    return request.param


class _Obj:
    __slots__ = ("tag",)


OBJS = [_Obj() for _ in range(40)]
OUTSIDE = [_Obj() for _ in range(3)]  # objects the table does not hold


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same types, and the very same objects where objects are held."""
    if isinstance(a, _Obj) or isinstance(b, _Obj):
        return a is b
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return math.copysign(1, a) == math.copysign(1, b) and (a == b or (math.isnan(a) and math.isnan(b)))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return a == b


def _value(rng: random.Random, kind: str) -> Any:
    if kind == "int":
        return rng.choice([0, 1, -1, 2**40, -(2**63), 2**63 - 1, rng.randrange(-1000, 1000)])
    if kind == "float":
        return rng.choice([0.0, -0.0, 1.5, math.inf, -math.inf, math.nan, rng.uniform(-1e6, 1e6)])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "str":
        return rng.choice(["iron-ore", "coal", "stone", "wood", f"s{rng.randrange(30)}"])
    if kind == "ref":
        return rng.choice(OBJS + [None])
    if kind == "list":
        return [rng.choice(OBJS) for _ in range(rng.randrange(4))]
    if kind == "dict":
        return {rng.randrange(10_000): rng.choice(OBJS) for _ in range(rng.randrange(4))}
    if kind == "pair":
        return (rng.choice(["a", "b"]), rng.randrange(5))
    if kind == "mixed":
        return rng.choice([None, 1, "x", 2.5, True, rng.choice(OUTSIDE), 2**70, rng.choice(OBJS)])
    raise AssertionError(kind)


KINDS = ["int", "float", "bool", "str", "ref", "list", "dict", "pair", "mixed"]


def _sample_columns(seed: int) -> list[tuple[list[Any], int]]:
    rng = random.Random(seed)
    out = []
    for kind in KINDS:
        for n in (1, 2, 7, 300):
            out.append(([_value(rng, kind) for _ in range(n)], rng.choice([0, 1, 2])))
        out.append(([_value(rng, kind)] * 5, 0))  # one value throughout
    return out


@pytest.mark.parametrize("seed", range(6))
def test_every_column_comes_back_with_its_values_types_and_objects(impl, seed) -> None:
    encoder = Encoder(OBJS)
    for column, depth in _sample_columns(seed):
        encoded = encoder.encode(column, depth)
        back = decode_list(encoded, len(column), OBJS)
        assert _same(back, column), (encoded[0], column[:5], back[:5])


def test_simple_columns_become_bytes(impl) -> None:
    encoder = Encoder(OBJS)
    assert encoder.encode([1, 2, 3]) == ("i", (1).to_bytes(8, "little") + (2).to_bytes(8, "little")
                                         + (3).to_bytes(8, "little"))
    assert encoder.encode([OBJS[2], None])[0] == "r"
    assert encoder.encode([1.0, 2.0])[0] == "f"
    assert encoder.encode([True, False])[0] == "b"
    assert encoder.encode(["a", "b", "a"]) == ("s", (("a", "b"), b"\x00\x00\x01\x00\x00\x00"))
    assert encoder.encode([OUTSIDE[0], None, OUTSIDE[0], None])[0] == "v"  # few distinct objects
    assert encoder.encode([2**70, 1])[0] == "p"  # past int64
    assert encoder.encode([(1, "a"), (2, "b")])[0] == "Z"  # tuples of one length: a column per position
    assert encoder.encode([[OBJS[0]], [OBJS[1]]], depth=1)[0] == "L"
    assert encoder.encode([[OBJS[0]], [OBJS[1]]])[0] != "L"  # not owned: left to pickle


def test_the_c_module_and_the_python_fallback_write_the_same_bytes(ccolumns, monkeypatch) -> None:
    written = {}
    for name, module in (("c", ccolumns), ("python", None)):
        monkeypatch.setattr(_columns, "_ccolumns", module)
        encoder = Encoder(OBJS)
        written[name] = [pickle.dumps(_strip(encoder.encode(c, d))) for seed in range(3) for c, d in _sample_columns(seed)]
    assert written["c"] == written["python"]


def _strip(encoded: Any) -> Any:
    """The encoded column with table objects as their positions (the test pickles it without a table)."""
    if isinstance(encoded, _Obj):
        return ("obj", OBJS.index(encoded) if encoded in OBJS else -1 - OUTSIDE.index(encoded))
    if isinstance(encoded, (list, tuple)):
        return type(encoded)(_strip(e) for e in encoded)
    if isinstance(encoded, dict):
        return {k: _strip(v) for k, v in encoded.items()}
    return encoded


def test_a_container_met_twice_stays_one_container(impl) -> None:
    shared = [OBJS[0]]
    column = [shared, [OBJS[1]], shared]
    encoded = Encoder(OBJS).encode(column, depth=1)
    assert encoded[0] not in ("L", "D")
    back = decode_list(encoded, 3, OBJS)
    assert back[0] is back[2]


def test_a_packed_index_comes_back_whole(impl) -> None:
    buckets = {"iron-ore": {(0, 0): {5: OBJS[5], 9: OBJS[9]}, (1, -1): {11: OBJS[11]}}, "coal": {}}
    packed = Encoder(OBJS).pack(buckets, 4)
    assert packed[0] == "D"
    back = unpack(packed, OBJS)
    assert _same(back, buckets) and back is not buckets


@pytest.mark.parametrize("encoded, n", [
    (("r", (45).to_bytes(4, "little")), 1),  # past the table's 40 objects
    (("r", b"\x00\x00\x00"), 1),  # truncated
    (("i", b"\x00" * 8), 2),  # fewer values than the group has objects
    (("b", b"\x02"), 1),  # no bool
    (("s", (("a",), (3).to_bytes(2, "little"))), 1),  # past its strings
    (("q", b""), 0),  # no such kind
    (("L", (5).to_bytes(4, "little"), 1, ("r", (0).to_bytes(4, "little"))), 1),  # lengths past the values
    (("Z", 3, ("o", 1)), 1),  # fewer columns than it says
    ("not a column", 1),
])
def test_a_damaged_column_is_a_column_error(impl, encoded, n) -> None:
    with pytest.raises(ColumnError):
        decode(encoded, n, OBJS)


def test_a_save_written_with_the_c_codec_loads_with_the_python_one_and_back(ccolumns, monkeypatch, tmp_path) -> None:
    from factoryverse.engine.engine import Engine
    from factoryverse.engine.state_hash import state_hash

    game = Engine(seed=3, mods=[], starting_chunks=1, saves_dir=tmp_path)
    game.execute_command(
        "/sc for i = 0, 5 do local f = game.surfaces[1].create_entity{name = 'stone-furnace', position = {i * 2, 8},"
        " force = 'player'}; f.insert{name = 'coal', count = 5}; f.insert{name = 'iron-ore', count = 10} end"
    )
    game.run_ticks(200)
    for writer, reader in ((ccolumns, None), (None, ccolumns)):
        monkeypatch.setattr(_columns, "_ccolumns", writer)
        path = game.save(tmp_path, "codec")
        monkeypatch.setattr(_columns, "_ccolumns", reader)
        loaded = Engine.load(path, mods=[])
        assert state_hash(loaded) == state_hash(game)
        loaded.run_ticks(300)
        assert loaded.execute_command(
            "/sc rcon.print(game.surfaces[1].count_entities_filtered{name = 'stone-furnace'})").strip() == "6"
