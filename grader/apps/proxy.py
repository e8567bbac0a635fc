"""A fault-injecting TCP proxy between a learner's process and a server (PostgreSQL, Redis): the
grader's nemesis on the wire. The learner's connection URL names the proxy; the grader decides
what the wire does:

  refuse()/accept()  new connections are reset at once (a server that is down or restarting)
  cut()              every open connection is reset (a crash, a failover, a partition)
  down()             both, for the length of a `with` block: a server restart as a client sees it
  delay(s)           every chunk waits `s` seconds each way (a slow or distant server)
  hold()/release()   requests stay in the proxy, unsent (a server that stopped answering);
                     `wait_until_held()` says when the learner has sent something that is held,
                     which is how a check catches a process at a chosen point (mid-publish)

It speaks no protocol: bytes in, bytes out, so it serves any server and any client language.
Every connection is a pair of sockets pumped by one thread; `heal()` undoes every fault.

A `tap` (one that knows the protocol, e.g. grader/checks/redis_wire.py) may read every chunk both
ways while it is set, and may ask to keep an answer back briefly so that bytes the client is still
sending arrive before it (how a pipeline sent in pieces is seen as one round trip). An `answerer`
(also protocol-aware) may answer a request itself instead of passing it on: a server-wide state,
such as an emptied script cache, shown to one client without changing it for everyone.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
import time
from collections.abc import Iterator
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from grader.checks.problems import GraderFault

HOST = "127.0.0.1"
CHUNK = 65536
TICK_S = 0.02
CONNECT_TIMEOUT_S = 5.0


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset (SO_LINGER 0), the way a crashed peer looks to the other side."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class Tap(Protocol):
    """Reads what passes through the proxy; `number` tells the connections apart."""

    grace_s: float  # how long an answer may be kept back when server_sent asks for it

    def client_sent(self, number: int, data: bytes) -> None: ...

    def server_sent(self, number: int, data: bytes) -> bool:
        """Called before `data` goes to the client; True: let the client send for grace_s first."""
        ...

    def delivered(self, number: int) -> None:
        """The server's data of the last server_sent has reached the client."""
        ...


class Answerer(Protocol):
    """Sees every chunk both ways; may answer a client's chunk itself instead of the server."""

    def answer(self, number: int, data: bytes) -> bytes | None:
        """The reply to send the client instead of passing `data` on to the server, or None to pass it."""
        ...

    def server_sent(self, number: int, data: bytes) -> None: ...


class _Pair:
    """One client connection and its connection to the server."""

    def __init__(self, number: int, client: socket.socket, server: socket.socket) -> None:
        self.number = number
        self.client = client
        self.server = server
        self.closed = False
        self.held = False  # the client sent something the proxy keeps back

    def reset(self) -> None:
        self.closed = True
        _reset(self.client)
        _reset(self.server)


class FaultProxy:
    def __init__(self, target_host: str, target_port: int, name: str = "server") -> None:
        self.target = (target_host, target_port)
        self.name = name
        self._lock = threading.Lock()
        self._pairs: list[_Pair] = []
        self._refusing = False
        self._holding = False
        self._delay_s = 0.0
        self._stopped = False
        self.accepted = 0  # connections accepted and forwarded, in all
        self._peak = 0  # the most connections open at once since reset_peak()
        self.tap: Tap | None = None
        self.answerer: Answerer | None = None
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((HOST, 0))
        self._listener.listen(256)
        self.port: int = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept_loop, name=f"proxy-{name}", daemon=True)
        self._thread.start()

    @classmethod
    def for_url(cls, url: str, name: str) -> FaultProxy:
        parts = urlsplit(url)
        if parts.hostname is None or parts.port is None:
            raise GraderFault(f"cannot put a proxy in front of {name}: its URL names no host and port")
        return cls(parts.hostname, parts.port, name)

    def url_for(self, url: str) -> str:
        """`url` with its host and port replaced by the proxy's (user, password, path kept)."""
        parts = urlsplit(url)
        credentials = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
        return urlunsplit((parts.scheme, f"{credentials}{HOST}:{self.port}", parts.path, parts.query, ""))

    # faults ---------------------------------------------------------------------------------
    def refuse(self) -> None:
        self._refusing = True

    def accept(self) -> None:
        self._refusing = False

    def cut(self) -> int:
        """Reset every open connection; returns how many there were."""
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            pair.reset()
        return len(pairs)

    @contextlib.contextmanager
    def down(self) -> Iterator[None]:
        """Inside: open connections are cut and new ones refused; afterwards, connections work again."""
        self.refuse()
        self.cut()
        try:
            yield
        finally:
            self.accept()

    def delay(self, seconds: float) -> None:
        self._delay_s = max(0.0, seconds)

    def hold(self) -> None:
        self._holding = True

    def release(self) -> None:
        self._holding = False

    def heal(self) -> None:
        """No fault any more: accepting, no delay, nothing held, nothing answered by the proxy."""
        self._refusing = self._holding = False
        self._delay_s = 0.0
        self.answerer = None

    def open_connections(self) -> int:
        with self._lock:
            return self._open_locked()

    def _open_locked(self) -> int:
        return sum(1 for pair in self._pairs if not pair.closed)

    def peak_connections(self) -> int:
        """The most connections the client side held open at once since reset_peak(): counted at every
        accept, so no connection is missed the way a sampled count (pg_stat_activity) can miss it."""
        with self._lock:
            return self._peak

    def reset_peak(self) -> None:
        with self._lock:
            self._peak = self._open_locked()

    def held(self) -> bool:
        with self._lock:
            return any(pair.held and not pair.closed for pair in self._pairs)

    def wait_until_held(self, timeout_s: float) -> bool:
        """True once a client has sent bytes that are being held (it is waiting on the server now)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.held():
                return True
            time.sleep(TICK_S)
        return False

    def close(self) -> None:
        self._stopped = True
        with contextlib.suppress(OSError):
            self._listener.close()
        self.cut()
        self._thread.join(timeout=2)

    # the pumps ------------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        while not self._stopped:
            try:
                readable, _, _ = select.select([self._listener], [], [], 0.2)
                if not readable:
                    continue
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._refusing or self._stopped:
                _reset(client)
                continue
            try:
                server = socket.create_connection(self.target, timeout=CONNECT_TIMEOUT_S)
            except OSError:
                _reset(client)  # the real server is down: the client sees the same
                continue
            for sock in (client, server):
                sock.setblocking(True)
                sock.settimeout(None)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self.accepted += 1
                pair = _Pair(self.accepted, client, server)
                self._pairs.append(pair)
                self._peak = max(self._peak, self._open_locked())
            threading.Thread(target=self._pump, args=(pair,), name=f"proxy-{self.name}-pump", daemon=True).start()

    def _client_first(self, pair: _Pair, tap: Tap) -> None:
        """Before an answer the tap asked to keep back goes out, pass on what the client sends within
        the tap's grace time: sent before the answer reached it, so not waiting for it."""
        if self._holding:
            return
        ready, _, _ = select.select([pair.client], [], [], tap.grace_s)
        if ready:
            more = pair.client.recv(CHUNK)
            if more:  # b"": the client closed, which the pump sees on its next read
                tap.client_sent(pair.number, more)
                pair.server.sendall(more)

    def _pump(self, pair: _Pair) -> None:
        try:
            while not pair.closed:
                holding = self._holding
                sources = [pair.server] if holding else [pair.client, pair.server]
                readable, _, _ = select.select(sources, [], [], TICK_S * 5)
                if self._holding:  # read again: a hold may have begun while select waited
                    ready, _, _ = select.select([pair.client], [], [], 0)
                    pair.held = bool(ready)
                else:
                    pair.held = False
                for source in readable:
                    if source is pair.client and self._holding:
                        continue  # held: the bytes stay in the socket until release()
                    data = source.recv(CHUNK)
                    if not data:
                        return
                    if self._delay_s:
                        time.sleep(self._delay_s)
                    tap, answerer = self.tap, self.answerer
                    if source is pair.client:
                        reply = answerer.answer(pair.number, data) if answerer is not None else None
                        if reply is not None:
                            pair.client.sendall(reply)
                            continue
                        if tap is not None:
                            tap.client_sent(pair.number, data)
                        pair.server.sendall(data)
                        continue
                    if answerer is not None:
                        answerer.server_sent(pair.number, data)
                    if tap is not None and tap.server_sent(pair.number, data):
                        self._client_first(pair, tap)
                    pair.client.sendall(data)
                    if tap is not None:
                        tap.delivered(pair.number)
        except (OSError, ValueError):  # ValueError: a socket that cut() closed meanwhile
            return
        finally:
            if not pair.closed:
                pair.closed = True
                for sock in (pair.client, pair.server):
                    with contextlib.suppress(OSError):
                        sock.close()
            with self._lock:
                if pair in self._pairs:
                    self._pairs.remove(pair)
