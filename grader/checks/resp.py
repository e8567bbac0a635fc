"""Reading RESP, the protocol Redis clients and servers speak, from bytes that arrive in pieces.

A TCP read ends wherever it ends: in the middle of a command, or after several. `RespReader.feed`
takes each piece as it comes and returns the values it completed, keeping an unfinished one until
the rest arrives. It reads RESP2 and RESP3 replies (a RESP3 push is marked, as it answers no
command) and client requests, including the inline form (`PING\\r\\n`) a terminal sends.

Not hiredis's Reader: installing hiredis would switch redis-py's own parser for every client in the
project, the learner's included; redis-py's parsers read from a socket, not from bytes at hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CRLF = b"\r\n"
LENGTH_PREFIXED = b"$=!"  # bulk string, verbatim string, bulk error: a length, then that many bytes
AGGREGATES = b"*~>"  # array, set, push: a count, then that many values
MAX_INLINE = 64 * 1024  # Redis's own limit for an inline command line


class RespError(ValueError):
    """Bytes that are not RESP: the stream cannot be followed any further."""


class _Incomplete(Exception):
    """The value goes on in bytes not received yet."""


@dataclass(frozen=True)
class ErrorReply:
    message: bytes


@dataclass(frozen=True)
class Push:
    """A RESP3 out-of-band message (pub/sub, client tracking): not the reply to any command."""

    items: list[Any]


class RespReader:
    """Whole values out of a byte stream fed in arbitrary pieces. `requests=True` reads what a client
    sends (arrays of bulk strings, or inline commands), giving each command as a list of bytes."""

    def __init__(self, requests: bool = False) -> None:
        self.requests = requests
        self._buffer = bytearray()

    @property
    def pending(self) -> bool:
        """A value has begun but is not complete yet."""
        return bool(self._buffer)

    def feed(self, data: bytes) -> list[Any]:
        self._buffer += data
        values: list[Any] = []
        position = 0
        try:
            while position < len(self._buffer):
                if self.requests:
                    value, position = self._request(position)
                    if value is None:  # an empty inline line: Redis ignores it
                        continue
                else:
                    value, position = self._value(position)
                values.append(value)
        except _Incomplete:
            pass
        del self._buffer[:position]
        return values

    # requests ----------------------------------------------------------------------------------
    def _request(self, position: int) -> tuple[list[bytes] | None, int]:
        if self._buffer[position:position + 1] != b"*":
            line, position = self._line(position, MAX_INLINE)
            words = bytes(line).split()
            return (words or None), position
        value, position = self._value(position)
        if not isinstance(value, list) or not all(isinstance(word, bytes) for word in value):
            raise RespError("a request must be an array of bulk strings")
        return (value or None), position

    # values ------------------------------------------------------------------------------------
    def _line(self, position: int, limit: int | None = None) -> tuple[bytes, int]:
        end = self._buffer.find(CRLF, position)
        if end < 0:
            if limit is not None and len(self._buffer) - position > limit:
                raise RespError("a line longer than Redis accepts")
            raise _Incomplete
        return bytes(self._buffer[position:end]), end + 2

    def _number(self, text: bytes) -> int:
        try:
            return int(text)
        except ValueError:
            raise RespError(f"not a number where RESP needs one: {text[:40]!r}") from None

    def _value(self, position: int) -> tuple[Any, int]:
        if position >= len(self._buffer):
            raise _Incomplete
        kind = bytes(self._buffer[position:position + 1])
        line, position = self._line(position + 1)
        if kind in (b"+", b"("):
            return (line if kind == b"+" else self._number(line)), position
        if kind == b"-":
            return ErrorReply(line), position
        if kind == b":":
            return self._number(line), position
        if kind == b"_":
            return None, position
        if kind == b"#":
            return line == b"t", position
        if kind == b",":
            try:
                return float(line), position
            except ValueError:
                raise RespError(f"not a double: {line[:40]!r}") from None
        if kind in LENGTH_PREFIXED:
            length = self._number(line)
            if length < 0:
                return None, position
            end = position + length
            if len(self._buffer) < end + 2:
                raise _Incomplete
            if self._buffer[end:end + 2] != CRLF:
                raise RespError("a bulk string does not end where its length says")
            data = bytes(self._buffer[position:end])
            return (ErrorReply(data) if kind == b"!" else data), end + 2
        if kind in AGGREGATES or kind in (b"%", b"|"):
            count = self._number(line)
            if count < 0:
                return None, position
            items = []
            for _ in range(count * (2 if kind in b"%|" else 1)):
                item, position = self._value(position)
                items.append(item)
            if kind == b"|":  # attributes describe the value that follows: that value is the reply
                return self._value(position)
            if kind == b"%":
                return list(zip(items[::2], items[1::2], strict=True)), position
            return (Push(items) if kind == b">" else items), position
        raise RespError(f"unknown RESP type byte {kind!r}")
