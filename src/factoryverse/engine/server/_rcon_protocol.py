"""Source RCON packet framing as Factorio's server speaks it.

A packet on the wire is ``<int32 length><int32 id><int32 type><body bytes>\\0\\0``,
little-endian, where ``length`` counts everything after itself (so at least 10).
Factorio never splits a reply over several packets and never sends the empty
RESPONSE_VALUE that Valve's server sends before an auth response; clients such as
factorio-rcon-py rely on exactly one reply packet per request, so neither do we.
"""

from __future__ import annotations

import asyncio
import enum
import struct
from typing import NamedTuple

__all__ = [
    "HEADER_SIZE",
    "MIN_PACKET_LENGTH",
    "MAX_PACKET_LENGTH",
    "AUTH_FAILED_ID",
    "PacketType",
    "Packet",
    "RconServerError",
    "RconProtocolError",
    "encode_packet",
    "read_packet",
]

_LENGTH = struct.Struct("<i")
_ID_TYPE = struct.Struct("<ii")
_TERMINATOR = b"\x00\x00"

#: id and type fields plus the two NUL terminators: the length of an empty packet.
MIN_PACKET_LENGTH = _ID_TYPE.size + len(_TERMINATOR)
#: The length prefix plus ``MIN_PACKET_LENGTH``: bytes on the wire besides the body.
HEADER_SIZE = _LENGTH.size + MIN_PACKET_LENGTH
#: The length field is a signed int32.
MAX_PACKET_LENGTH = 2**31 - 1
#: The id an auth response carries when the password was wrong.
AUTH_FAILED_ID = -1


class RconServerError(Exception):
    """Base of every error the embedded RCON server raises."""


class RconProtocolError(RconServerError):
    """A client sent bytes that are not a valid RCON request; its connection is dropped."""


class PacketType(enum.IntEnum):
    """Packet types; EXECCOMMAND and AUTH_RESPONSE share the value 2 by protocol design."""

    RESPONSE_VALUE = 0
    EXECCOMMAND = 2
    AUTH_RESPONSE = 2
    AUTH = 3


_REQUEST_TYPES = frozenset({PacketType.AUTH, PacketType.EXECCOMMAND})


class Packet(NamedTuple):
    """One decoded client request."""

    id: int
    type: PacketType
    body: str


def encode_packet(packet_id: int, packet_type: int, body: str) -> bytes:
    """Frame one server packet; text that cannot be UTF-8 encoded is replaced, not dropped."""
    payload = body.encode("utf-8", errors="replace")
    length = MIN_PACKET_LENGTH + len(payload)
    if length > MAX_PACKET_LENGTH:
        raise RconServerError(
            f"reply of {len(payload)} bytes does not fit one RCON packet "
            f"(limit {MAX_PACKET_LENGTH - MIN_PACKET_LENGTH}); return less text"
        )
    return b"".join(
        (_LENGTH.pack(length), _ID_TYPE.pack(packet_id, packet_type), payload, _TERMINATOR)
    )


async def read_packet(reader: asyncio.StreamReader, max_body: int) -> Packet:
    """Read and validate one request packet.

    Raises ``asyncio.IncompleteReadError`` when the peer closes the stream (cleanly
    between packets, or part-way through one) and ``RconProtocolError`` for anything
    that is not a well-formed AUTH or EXECCOMMAND packet with at most ``max_body``
    body bytes.
    """
    (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
    if length < MIN_PACKET_LENGTH or length > max_body + MIN_PACKET_LENGTH:
        raise RconProtocolError(
            f"declared packet length {length} is outside "
            f"{MIN_PACKET_LENGTH}..{max_body + MIN_PACKET_LENGTH}"
        )
    data = await reader.readexactly(length)
    packet_id, raw_type = _ID_TYPE.unpack_from(data)
    if data[-len(_TERMINATOR):] != _TERMINATOR:
        raise RconProtocolError("packet body is not terminated by two NUL bytes")
    if raw_type not in _REQUEST_TYPES:
        raise RconProtocolError(
            f"packet type {raw_type} is not a request (expected {int(PacketType.AUTH)} "
            f"auth or {int(PacketType.EXECCOMMAND)} exec)"
        )
    try:
        body = data[_ID_TYPE.size : -len(_TERMINATOR)].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RconProtocolError(f"packet body is not valid UTF-8: {exc}") from exc
    return Packet(packet_id, PacketType(raw_type), body)
