"""Counting the SQL statements a learner's app sends, per request, without any server extension.

A small TCP proxy between the app and PostgreSQL reads the frontend side of the wire protocol and
counts what asks the server to run SQL: a simple-protocol Query ('Q') and an extended-protocol
Execute ('E'). It is deterministic (no statistics collector, no timing) and works the same on
every backend. The app gets a DATABASE_URL that points at the proxy with `sslmode=disable`, so the
stream stays readable; a client that asks for TLS anyway is refused by the proxy ('N'), as a
server without TLS would.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from urllib.parse import urlsplit, urlunsplit

SSL_REQUEST = 80877103
GSS_REQUEST = 80877104
COUNTED = {ord("Q"), ord("E")}


class SqlCounter:
    def __init__(self, database_url: str) -> None:
        parts = urlsplit(database_url)
        self._target = (parts.hostname or "127.0.0.1", parts.port or 5432)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("sslmode="))
        netloc = parts.netloc.rsplit("@", 1)
        host = f"127.0.0.1:{self.port}"
        self.url = urlunsplit((parts.scheme, f"{netloc[0]}@{host}" if len(netloc) == 2 else host, parts.path,
                               "&".join(filter(None, [query, "sslmode=disable"])), ""))
        self._count = 0
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, name="sql-counter", daemon=True).start()

    @property
    def statements(self) -> int:
        with self._lock:
            return self._count

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(self._target, timeout=10)
            server.settimeout(None)
        except OSError:
            client.close()
            return
        threading.Thread(target=_pipe, args=(server, client), daemon=True).start()
        try:
            self._frontend(client, server)
        finally:
            for end in (client, server):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def _frontend(self, client: socket.socket, server: socket.socket) -> None:
        """Startup packets (no type byte) until the real startup message, then typed messages."""
        while True:
            header = _read(client, 8)
            if header is None:
                return
            length, code = struct.unpack("!II", header)
            rest = _read(client, length - 8)
            if rest is None:
                return
            if code in (SSL_REQUEST, GSS_REQUEST):
                client.sendall(b"N")
                continue
            server.sendall(header + rest)
            break
        while True:
            head = _read(client, 5)
            if head is None:
                return
            kind, length = head[0], struct.unpack("!I", head[1:])[0]
            body = _read(client, length - 4)
            if body is None:
                return
            if kind in COUNTED:
                with self._lock:
                    self._count += 1
            server.sendall(head + body)

    def close(self) -> None:
        self._closed = True
        self._listener.close()


def _read(sock: socket.socket, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        try:
            chunk = sock.recv(size - len(data))
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            target.sendall(chunk)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)
