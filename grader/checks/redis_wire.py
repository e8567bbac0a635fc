"""The commands and round trips a learner's process sent to Redis, counted on the wire.

"The same work in fewer round trips" is judged by what crossed the connection: not by wall time,
which varies with the machine, nor by what the code says. The learner's worker reaches Redis through
the grader's proxy (grader/apps/proxy.py); while `watching(proxy)` is open, a tap reads both
directions of every connection with a RESP reader (grader/checks/resp.py) and records:

  commands     every command a client sent, in order, except the handshake a client sends on
               connecting (AUTH, HELLO, SELECT, CLIENT SETINFO/SETNAME/MAINT_NOTIFICATIONS);
  round trips  every time a client starts sending while it holds every reply it asked for: a
               pipeline of N commands is one round trip, N calls that each wait for a reply are N.

A client that waits for its reply is counted exactly whatever the timing: it cannot send before the
reply reached it. A pipeline's bytes, though, can reach the proxy in pieces, and the server may have
answered the first piece before the next one arrives. So the proxy keeps back an answer that would
leave the client nothing outstanding for GRACE_S; a client still sending meanwhile (the rest of its
pipeline) stays in its round trip. Only a process that stalls longer than that in the middle of its
own send can be counted one round trip more, never fewer: checks allow one more than the ideal.
After EXACT_UP_TO round trips in one watch, answers pass at once (a client that waits is still
counted exactly); `Traffic.more_than` refuses limits that high.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from grader.apps.proxy import FaultProxy
from grader.checks.problems import GraderFault
from grader.checks.resp import Push, RespError, RespReader

GRACE_S = 0.25
EXACT_UP_TO = 8
CONNECTING = {"AUTH", "HELLO", "SELECT"}
CONNECTING_CLIENT = {"SETINFO", "SETNAME", "MAINT_NOTIFICATIONS"}  # redis-py 8 asks for the last
# commands after which replies no longer pair one to one with commands: round trips cannot be followed
UNPAIRED = {"SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "MONITOR", "SYNC", "PSYNC"}
TRANSACTION = {"MULTI", "EXEC", "DISCARD"}


@dataclass(frozen=True)
class Command:
    name: str  # upper case: "HSET"
    args: tuple[str, ...]  # decoded as UTF-8
    connection: int  # which connection through the proxy sent it

    @property
    def connecting(self) -> bool:
        """Part of the handshake a client sends when it opens a connection, not of the learner's work."""
        if self.name == "CLIENT":
            return bool(self.args) and self.args[0].upper() in CONNECTING_CLIENT
        return self.name in CONNECTING


@dataclass
class RoundTrip:
    connection: int
    commands: list[Command] = field(default_factory=list)

    @property
    def work(self) -> list[Command]:
        """Its commands except the handshake and MULTI/EXEC/DISCARD: what it asked the server to do."""
        return [c for c in self.commands if not c.connecting and c.name not in TRANSACTION]


@dataclass
class Traffic:
    """What the learner's clients sent while a watch was open (filled as it happens)."""

    started: list[RoundTrip] = field(default_factory=list)
    unreadable: str | None = None  # why the stream could not be followed, if it could not

    @property
    def round_trips(self) -> list[RoundTrip]:
        """The round trips that carried something else than a connection's handshake."""
        return [t for t in self.started if any(not c.connecting for c in t.commands)]

    @property
    def commands(self) -> list[Command]:
        return [c for t in self.round_trips for c in t.commands if not c.connecting]

    def count(self, name: str) -> int:
        return sum(1 for c in self.commands if c.name == name.upper())

    def largest(self) -> int:
        """The most commands one round trip carried (MULTI/EXEC aside)."""
        return max((len(t.work) for t in self.round_trips), default=0)

    def more_than(self, limit: int) -> bool:
        """True when the round trips exceed `limit`; a limit is only trusted below EXACT_UP_TO."""
        if limit >= EXACT_UP_TO:
            raise GraderFault(f"a check allows {limit} round trips, but counts are exact only below {EXACT_UP_TO} "
                              "(grader/checks/redis_wire.py)")
        return len(self.round_trips) > limit


class _Connection:
    def __init__(self, number: int) -> None:
        self.number = number
        self.requests = RespReader(requests=True)
        self.replies = RespReader()
        self.sent = 0  # commands the client sent
        self.answered = 0  # replies the server sent
        self.delivered = 0  # replies passed on to the client
        self.current: RoundTrip | None = None


class WireTap:
    """The proxy's tap: told about every chunk each way (grader.apps.proxy.Tap); one per watch."""

    grace_s = GRACE_S

    def __init__(self) -> None:
        self.traffic = Traffic()
        self._lock = threading.Lock()
        self._connections: dict[int, _Connection] = {}

    def _connection(self, number: int) -> _Connection:
        if number not in self._connections:
            self._connections[number] = _Connection(number)
        return self._connections[number]

    def client_sent(self, number: int, data: bytes) -> None:
        with self._lock:
            connection = self._connection(number)
            if self.traffic.unreadable:
                return
            idle = connection.sent == connection.delivered and not connection.requests.pending
            try:
                requests = connection.requests.feed(data)
            except RespError as exc:
                self.traffic.unreadable = f"what your code sent is not RESP ({exc})"
                return
            if idle or connection.current is None:
                connection.current = RoundTrip(number)
                self.traffic.started.append(connection.current)
            for words in requests:
                text = [word.decode("utf-8", "replace") for word in words]
                command = Command(text[0].upper(), tuple(text[1:]), number)
                connection.current.commands.append(command)
                connection.sent += 1
                if command.name in UNPAIRED or (command.name == "CLIENT" and text[1:2] and text[1].upper() == "REPLY"):
                    self.traffic.unreadable = (f"your code sent {command.name}, after which Redis's replies no "
                                               "longer answer one command each")

    def server_sent(self, number: int, data: bytes) -> bool:
        """Read the replies in `data`; True when they leave the client nothing outstanding in a round
        trip of the learner's work, so the proxy gives a client still sending time to send first."""
        with self._lock:
            connection = self._connection(number)
            if self.traffic.unreadable:
                return False
            try:
                replies = connection.replies.feed(data)
            except RespError as exc:
                self.traffic.unreadable = f"the server's replies could not be read ({exc})"
                return False
            connection.answered += sum(1 for reply in replies if not isinstance(reply, Push))
            current = connection.current
            return (connection.answered > connection.delivered and connection.answered >= connection.sent
                    and not connection.requests.pending and current is not None
                    and any(not c.connecting for c in current.commands)
                    and len(self.traffic.round_trips) < EXACT_UP_TO)

    def delivered(self, number: int) -> None:
        with self._lock:
            connection = self._connection(number)
            connection.delivered = connection.answered


@contextmanager
def watching(proxy: FaultProxy) -> Iterator[Traffic]:
    """Record the commands and round trips that pass through `proxy` during the block. Open it
    between two calls of the learner's code, when every connection is idle."""
    tap = WireTap()
    proxy.tap = tap
    try:
        yield tap.traffic
    finally:
        proxy.tap = None


class _Counted:
    """A connection's requests and replies, counted, so a reply is only ever made up when none is due."""

    def __init__(self) -> None:
        self.requests = RespReader(requests=True)
        self.replies = RespReader()
        self.sent = 0
        self.answered = 0


class EmptiedScriptCache:
    """The proxy's answerer: the first EVALSHA a connection sends while it waits for nothing else is
    answered NOSCRIPT, as a server whose script cache was emptied answers it; everything after passes.
    SCRIPT FLUSH would do the same to every run on the shared server (and another run could load the
    same script again before this client's call), so the emptied cache is shown to this client only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: dict[int, _Counted] = {}
        self.refused: list[str] = []  # the SHA1s answered NOSCRIPT

    def answer(self, number: int, data: bytes) -> bytes | None:
        with self._lock:
            connection = self._connections.setdefault(number, _Counted())
            idle = connection.sent == connection.answered and not connection.requests.pending
            try:
                requests = connection.requests.feed(data)
            except RespError:
                return None
            lone = len(requests) == 1 and not connection.requests.pending
            if idle and lone and not self.refused and requests[0][0].upper() == b"EVALSHA":
                self.refused.append(requests[0][1].decode("ascii", "replace") if len(requests[0]) > 1 else "")
                return b"-NOSCRIPT No matching script. Please use EVAL.\r\n"
            connection.sent += len(requests)
            return None

    def server_sent(self, number: int, data: bytes) -> None:
        with self._lock:
            connection = self._connections.setdefault(number, _Counted())
            with contextlib.suppress(RespError):
                connection.answered += sum(1 for reply in connection.replies.feed(data) if not isinstance(reply, Push))


@contextmanager
def emptied_script_cache(proxy: FaultProxy) -> Iterator[EmptiedScriptCache]:
    """For the block, the learner's next EVALSHA through `proxy` finds the script cache empty (NOSCRIPT).
    Open it between two calls of the learner's code, when every connection is idle."""
    answerer = EmptiedScriptCache()
    proxy.answerer = answerer
    try:
        yield answerer
    finally:
        proxy.answerer = None
