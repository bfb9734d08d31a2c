"""Calling a mod's remote interface over RCON: `remote_call(rcon, "agent", "list_agents")`.

Arguments travel as one JSON document inside a Lua long-bracket string, so no argument can break out of
the script whatever it contains; the game decodes it with helpers.json_to_table and answers with
helpers.table_to_json. Positional arguments are sent as an object keyed by position, so a None in the
middle survives as a nil (a JSON null inside an array has no faithful Lua equivalent).
"""

from __future__ import annotations

import enum
import functools
import json
import math
import re
from typing import Any, Protocol

from pydantic import BaseModel

from factoryverse.sdk.errors import (
    InvalidArgumentError,
    LuaError,
    RemoteCallError,
    UnexpectedReplyError,
    UnknownInterfaceError,
    error_class_for_code,
)
from factoryverse.sdk.rcon import parse_lua_error

__all__ = [
    "remote_call",
    "build_call_script",
    "long_bracket",
    "to_wire",
    "error_from_text",
    "parse_fv_error",
    "describe_code",
]


class _Rcon(Protocol):
    async def lua(self, code: str, *, timeout: float | None = None) -> str: ...


# A pcall around remote.call keeps a refused call from becoming a console error, so the reply is always
# one JSON object; `n` restores trailing and middle nils that the keyed object cannot carry on its own.
_CALL_TEMPLATE = """local p = helpers.json_to_table({payload})
local a = {{}}
for k, v in pairs(p.a) do a[tonumber(k)] = v end
local ok, res = pcall(remote.call, p.i, p.m, table.unpack(a, 1, p.n))
if ok then
  rcon.print(helpers.table_to_json({{ok = true, result = res}}))
else
  rcon.print(helpers.table_to_json({{ok = false, error = tostring(res)}}))
end"""

_FV_ERROR = re.compile(r"\[fv:([a-z0-9_]+)\]\s*(.*)", re.DOTALL)
_UNKNOWN_INTERFACE = re.compile(r"Unknown interface: ?(\S+)")
_UNKNOWN_FUNCTION = re.compile(r"(?:No such function|Unknown interface function): ?(\S+)")


def long_bracket(text: str) -> str:
    """`text` as a Lua long-bracket string literal whose closing bracket does not occur in it."""
    level = 0
    while "]" + "=" * level + "]" in text:
        level += 1
    eq = "=" * level
    # Lua drops a newline right after the opening bracket; a leading one must therefore be doubled.
    lead = "\n" if text.startswith(("\n", "\r")) else ""
    return f"[{eq}[{lead}{text}]{eq}]"


def to_wire(value: Any, where: str = "argument") -> Any:
    """Turn a Python value into plain JSON data the game can decode.

    Pydantic models become their dict, enums their value; None inside an object is dropped (in Lua an
    absent key and a nil are the same). Values Lua cannot hold raise InvalidArgumentError.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, enum.Enum):
        return to_wire(value.value, where)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidArgumentError(f"{where} is {value!r}; the game only takes finite numbers")
        return value
    if isinstance(value, BaseModel):
        return to_wire(value.model_dump(mode="python", exclude_none=True), where)
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidArgumentError(f"{where} has the key {key!r}; object keys must be strings")
            if item is not None:
                out[key] = to_wire(item, f"{where}.{key}")
        return out
    if isinstance(value, (list, tuple)):
        items = [to_wire(item, f"{where}[{i}]") for i, item in enumerate(value)]
        if any(item is None for item in items):
            raise InvalidArgumentError(f"{where} holds None; a Lua array cannot have holes, leave the item out")
        return items
    raise InvalidArgumentError(
        f"{where} is a {type(value).__name__}; pass JSON-like data (str, number, bool, list, dict, pydantic model)"
    )


def build_call_script(interface: str, method: str, args: tuple[Any, ...]) -> str:
    """The Lua source (without /sc) that calls `interface.method(*args)` and prints the JSON outcome."""
    keyed = {str(i + 1): to_wire(arg, f"argument {i + 1} of {interface}.{method}") for i, arg in enumerate(args)}
    payload = json.dumps({"i": interface, "m": method, "n": len(args), "a": keyed}, ensure_ascii=False)
    return _CALL_TEMPLATE.format(payload=long_bracket(payload))


@functools.lru_cache(maxsize=1)
def _code_descriptions() -> dict[str, str]:
    from factoryverse.schemas import load_remote_interfaces

    return dict(load_remote_interfaces()["error_codes"])


def describe_code(code: str) -> str:
    """The contract's one-line meaning of an `[fv:<code>]` code ("" for a code the contract lacks)."""
    return _code_descriptions().get(code, "")


def parse_fv_error(text: str) -> tuple[str, str] | None:
    """(code, message) of an "[fv:<code>] <message>" text, without any traceback; None if it has no code."""
    found = _FV_ERROR.search(parse_lua_error(text)[0])
    return (found.group(1), found.group(2).strip()) if found else None


def error_from_text(text: str, interface: str, method: str) -> RemoteCallError | LuaError:
    """The typed exception for the error text of a refused remote.call."""
    message, traceback = parse_lua_error(text)
    call = f"{interface}.{method}"
    coded = parse_fv_error(message)
    if coded:
        code, detail = coded
        cls = error_class_for_code(code)
        meaning = describe_code(code)
        label = f"{code} ({meaning})" if meaning else code
        return cls(
            f"{call} failed with {label}: {detail}",
            code=code, detail=detail, interface=interface, method=method, traceback=traceback,
        )
    if _UNKNOWN_INTERFACE.search(message):
        return UnknownInterfaceError(
            f"there is no remote interface {interface!r} in the game; check the mod providing it is loaded "
            "(agent_<id> interfaces exist only while that agent lives)",
            detail=message, interface=interface, method=method, traceback=traceback,
        )
    if _UNKNOWN_FUNCTION.search(message):
        return UnknownInterfaceError(
            f"the remote interface {interface!r} has no method {method!r}; check the spelling against "
            "remote_interfaces.json and that the mod version matches the SDK",
            detail=message, interface=interface, method=method, traceback=traceback,
        )
    return LuaError(
        f"{call} raised a Lua error (a bug in the mod or a wrong argument it did not check): {message}",
        lua_message=message, traceback=traceback,
    )


async def remote_call(rcon: _Rcon, interface: str, method: str, *args: Any, timeout: float | None = None) -> Any:
    """Call `remote.call(interface, method, *args)` in the game and return the decoded result.

    A refused call raises the RemoteCallError subclass of its `[fv:<code>]`, UnknownInterfaceError, or
    LuaError. Note the game encodes an empty table as [], so callers expecting an object must accept [].

    Example: `where = await remote_call(rcon, 'agent_1', 'get_position')`
    """
    reply = await rcon.lua(build_call_script(interface, method, args), timeout=timeout)
    try:
        outcome = json.loads(reply)
    except json.JSONDecodeError as exc:
        raise UnexpectedReplyError(
            f"{interface}.{method} answered text that is not JSON: {reply[:200]!r}; is another mod printing "
            "to RCON, or is this not a FactoryVerse game?",
            reply=reply,
        ) from exc
    if not isinstance(outcome, dict) or "ok" not in outcome:
        raise UnexpectedReplyError(
            f"{interface}.{method} answered {reply[:200]!r} instead of an {{ok, result|error}} object", reply=reply
        )
    if outcome["ok"]:
        return outcome.get("result")
    raise error_from_text(str(outcome.get("error", "")), interface, method)
