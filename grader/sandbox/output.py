"""A learner process's output, read as it comes so the process never blocks on a full pipe, and kept
with a cap: the tail is kept, the rest only counted. Flooding the output costs the learner nothing
but their own log."""

from __future__ import annotations

import fcntl
import os
import struct
import termios
import threading
import time
from typing import IO

CUT_MARKER = "[… earlier output cut …]\n"


class OutputTail:
    def __init__(self, stream: IO[bytes], cap_bytes: int) -> None:
        self._stream = stream
        self._cap = cap_bytes
        self._kept = bytearray()
        self._total = 0  # bytes ever written; marks are positions in this count
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._pump, name="sandbox-output", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        fd = self._stream.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            with self._lock:
                self._kept += chunk
                self._total += len(chunk)
                if len(self._kept) > self._cap:
                    del self._kept[: len(self._kept) - self._cap]

    def mark(self) -> int:
        with self._lock:
            return self._total

    def since(self, mark: int = 0, limit: int | None = None) -> str:
        """What was written after `mark` (as much of it as is kept), the last `limit` characters."""
        with self._lock:
            dropped = self._total - len(self._kept)
            start = max(0, mark - dropped)
            data = bytes(self._kept[start:])
            lost = max(0, dropped - mark)
        text = data.decode("utf-8", errors="replace")
        if limit is not None and len(text) > limit:
            text, lost = text[-limit:], lost + 1
        if not lost:
            return text
        marker = CUT_MARKER if limit is None else CUT_MARKER[:limit]
        return marker + (text if limit is None else text[len(marker) :])  # the marker counts within `limit`

    @property
    def total_bytes(self) -> int:
        with self._lock:
            return self._total

    def settle(self, timeout: float = 0.2) -> None:
        """Wait (briefly) until what the process wrote so far has been read: a failure it reports on
        another pipe can arrive before the prints that came just before it."""
        deadline = time.monotonic() + timeout
        try:
            while self._unread() and time.monotonic() < deadline:
                time.sleep(0.001)
        except OSError:
            return  # closed: finish() is what waits then
        time.sleep(0.001)  # the pump stores a chunk just after reading it

    def _unread(self) -> int:
        answer = fcntl.ioctl(self._stream.fileno(), termios.FIONREAD, struct.pack("i", 0))
        return int(struct.unpack("i", answer)[0])

    def finish(self, timeout: float = 1.0) -> None:
        """Wait for the last bytes after the process ended (its pipe closes with it)."""
        self._thread.join(timeout)
