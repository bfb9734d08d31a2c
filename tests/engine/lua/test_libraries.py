"""The Lua libraries and functions as Factorio's "Libraries and functions" page describes them: string.pack,
string.unpack and string.packsize backported from Lua 5.4.6 (checked byte for byte against Python's `struct`, which
lays out C types as Lua 5.4's lstrlib does, and against the Lua 5.4 manual's rules and messages), what is kept of
`collectgarbage`, `math.random` flooring its bounds, the `serpent`, `log`, `localised_print` and `table_size`
globals, and `helpers.table_to_json({})`."""

from __future__ import annotations

import math
import struct

import pytest

from factoryverse.engine.engine import Engine


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=1)


def _lua(engine: Engine, expr: str) -> str:
    return engine.execute_command(f"/sc rcon.print(serpent.line({{{expr}}}, {{compact = true}}))")


def _hex(engine: Engine, fmt: str, *values: str) -> str:
    args = ", ".join((repr(fmt), *values))
    return engine.execute_command(
        f"/sc local s = string.pack({args}) rcon.print((s:gsub('.', function(c) return string.format('%02x', c:byte()) end)))")


def _num(v: float) -> str:
    if math.isinf(v):
        return "math.huge" if v > 0 else "-math.huge"
    return repr(v) if v != 0 or math.copysign(1, v) > 0 else "-0.0"


# (Lua format, struct format, value): struct's standard sizes with < and > are the C sizes Lua uses.
INT_CASES = [
    ("<b", "<b", -128), ("<b", "<b", 127), ("<B", "<B", 255), ("<h", "<h", -32768), (">H", ">H", 65535),
    ("<i", "<i", -1), ("<i4", "<i", 2**31 - 1), (">I4", ">I", 2**32 - 1), ("<i8", "<q", -(2**53)),
    ("<j", "<q", 2**53), (">J", ">Q", 2**52 + 7), ("<l", "<q", -123456789012), ("<L", "<Q", 9), ("<T", "<Q", 300),
]
FLOAT_CASES = [
    ("<d", "<d", 0.1), (">d", ">d", -2.5e-300), ("<d", "<d", 5e-324), ("<d", "<d", float("inf")),
    ("<n", "<d", -0.0), ("<f", "<f", 0.1), (">f", ">f", 3.4028235e38), ("<f", "<f", 1e-45), ("<f", "<f", 1e39),
    ("<f", "<f", 16777217.0), ("<f", "<f", 1.401298464324817e-45 * 1.5), ("<f", "<f", -float("inf")),
]


def _as_c(sfmt: str, value):
    """What a C conversion to the format's type keeps of `value` (a float overflows to infinity)."""
    if sfmt.endswith("f") and abs(value) > 3.4028235677973366e38 and not math.isinf(value):
        return math.copysign(float("inf"), value)
    return value


@pytest.mark.parametrize("fmt, sfmt, value", INT_CASES + FLOAT_CASES)
def test_pack_lays_out_bytes_as_c_does(engine, fmt, sfmt, value):
    text = _num(value) if isinstance(value, float) else str(value)
    assert _hex(engine, fmt, text) == struct.pack(sfmt, _as_c(sfmt, value)).hex()


@pytest.mark.parametrize("fmt, sfmt, value", INT_CASES + FLOAT_CASES)
def test_unpack_reads_what_c_wrote(engine, fmt, sfmt, value):
    data = struct.pack(sfmt, _as_c(sfmt, value))
    escaped = "".join(f"\\{b}" for b in data)
    reply = engine.execute_command(
        f"/sc local v, nxt = string.unpack('{fmt}', '{escaped}') rcon.print(string.format('%.17g %d', v, nxt))")
    got, nxt = reply.split()
    want = struct.unpack(sfmt, data)[0]
    assert float(got) == want and math.copysign(1, float(got)) == math.copysign(1, want)
    assert int(nxt) == len(data) + 1


def test_strings_and_positions(engine):
    assert _lua(engine, "string.unpack('z s1 c3', string.pack('z s1 c3', 'ab', 'xyz', 'q'))") == '{"ab","xyz","q\\0\\0",11}'
    assert _lua(engine, "string.pack('s2', 'hi'):byte(1, -1)") == "{2,0,104,105}"
    assert _lua(engine, "string.unpack('B', 'abc', 2)") == "{98,3}"
    assert _lua(engine, "string.unpack('B', 'abc', -1)") == "{99,4}"  # a negative position counts from the end
    assert _lua(engine, "string.unpack('B', 'abc', -10)") == "{97,2}"
    assert _lua(engine, "string.unpack('i2 x B', string.pack('i2 x B', 7, 9))") == "{7,9,5}"


def test_alignment_with_bang(engine):
    # "!n" sets the maximum alignment (default native 8); each option aligns to min(its size, that maximum).
    assert _lua(engine, "string.packsize('!8 b d'), string.packsize('!4 b d'), string.packsize('b d')") == "{16,12,9}"
    assert _lua(engine, "string.packsize('!8 b Xi4 b'), string.packsize('!2 b h b i8')") == "{5,14}"
    assert _lua(engine, "string.pack('!8 b i4', 1, 2):byte(1, -1)") == "{1,0,0,0,2,0,0,0}"


def test_integers_wider_than_a_lua_integer(engine):
    assert _lua(engine, "string.unpack('<i16', string.pack('<i16', -3))") == "{-3,17}"
    assert _hex(engine, "<I12", "5") == "05" + "00" * 11
    assert _lua(engine, "select(2, pcall(string.unpack, '<I9', string.rep('\\255', 9)))") == \
        '{"9-byte integer does not fit into Lua Integer"}'
    assert _lua(engine, "string.unpack('<J', string.rep('\\255', 8))") == "{-1,9}"  # reinterpreted as signed


@pytest.mark.parametrize("call, message", [
    ("string.pack('y', 1)", "invalid format option 'y'"),
    ("string.pack('i17', 1)", "integral size (17) out of limits [1,16]"),
    ("string.pack('i0', 1)", "integral size (0) out of limits [1,16]"),
    ("string.pack('c', 'a')", "missing size for format option 'c'"),
    ("string.pack('i2', 40000)", "bad argument #2 to 'pack' (integer overflow)"),
    ("string.pack('B', -1)", "bad argument #2 to 'pack' (unsigned overflow)"),
    ("string.pack('i4', 1.5)", "bad argument #2 to 'pack' (number has no integer representation)"),
    ("string.pack('i4')", "bad argument #2 to 'pack' (number expected, got no value)"),
    ("string.pack('d', {})", "bad argument #2 to 'pack' (number expected, got table)"),
    ("string.pack('c2', 'abc')", "bad argument #2 to 'pack' (string longer than given size)"),
    ("string.pack('z', 'a\\0b')", "bad argument #2 to 'pack' (string contains zeros)"),
    ("string.pack('s1', string.rep('a', 256))", "bad argument #2 to 'pack' (string length does not fit in given size)"),
    ("string.pack('!i3', 1)", "bad argument #1 to 'pack' (format asks for alignment not power of 2)"),
    ("string.pack('X', 1)", "bad argument #1 to 'pack' (invalid next option for option 'X')"),
    ("string.packsize('s')", "bad argument #1 to 'packsize' (variable-length format)"),
    ("string.unpack('i4', 'abc')", "bad argument #2 to 'unpack' (data string too short)"),
    ("string.unpack('z', 'abc')", "bad argument #2 to 'unpack' (unfinished string for format 'z')"),
    ("string.unpack('b', 'abc', 5)", "bad argument #3 to 'unpack' (initial position out of string)"),
])
def test_errors_use_lua_5_4_messages(engine, call, message):
    assert engine.execute_command(f"/sc rcon.print(select(2, pcall(function() return {call} end)))") == message


def test_pack_is_a_string_method_too(engine):
    assert _lua(engine, "('<i2'):pack(258):byte(1, -1)") == "{2,1}"


def test_collectgarbage_keeps_count_and_collect(engine):
    assert _lua(engine, "type(collectgarbage('count')), collectgarbage('collect'), collectgarbage()") == '{"number",0,0}'
    assert _lua(engine, "collectgarbage('isrunning')") == "{true}"
    for option in ("stop", "restart", "setpause", "setstepmul", "bogus"):
        assert _lua(engine, f"select(2, pcall(collectgarbage, '{option}'))") == \
            "{\"bad argument #1 to 'collectgarbage' (invalid option '" + option + "')\"}"
    assert _lua(engine, "collectgarbage('isrunning')") == "{true}"


def test_math_random_floors_non_integer_bounds(engine):
    reply = _lua(engine, "(function() local seen = {} for i = 1, 400 do seen[math.random(2.9)] = true "
                         "seen[math.random(0.5, 3.7) + 10] = true end local out = {} "
                         "for k in pairs(seen) do out[#out + 1] = k end table.sort(out) return table.concat(out, ' ') end)()")
    assert reply == '{"1 2 10 11 12 13"}'


def test_factorio_globals(engine):
    assert _lua(engine, "type(serpent.block), type(log), type(localised_print), table_size({a = 1, 2, b = 3})") == \
        '{"function","function","function",3}'
    assert _lua(engine, "serpent.line({1, {a = 'x'}})") == '{"{1, {a = \\"x\\"}}"}'
    for gone in ("io", "os", "loadfile", "dofile", "coroutine", "package"):
        assert _lua(engine, f"type({gone})") == '{"nil"}'


def test_log_writes_localised_strings(engine):
    engine.execute_command("/sc log({'', 'packed ', 3})")
    assert any("packed 3" in line for line in list(engine.log_lines)[-5:])


def test_table_to_json_of_an_empty_table_is_an_empty_object(engine):
    assert engine.execute_command("/sc rcon.print(helpers.table_to_json({}))") == "{}"
