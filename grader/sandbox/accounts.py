"""Accounts for learner processes when the grader runs as root: one uid per sandbox, leased.

A uid that nothing else on the machine uses means a learner process can neither read the grader's
files nor signal its processes, nor those of another sandbox (the reference's worker, another
student's app). A lease is an flock on a file in a root-only folder: it ends with the process that
holds it, so a killed run never keeps a uid, and the next lease of that uid first kills whatever the
killed run left running under it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

FIRST_UID = 3_100_000  # far above any account a distribution or an administrator creates
COUNT = 2000
LEASES = Path("/run/backend-labs/sandbox-uids")


@dataclass
class Account:
    uid: int
    gid: int
    _lock: int

    def release(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._lock)


def privileged() -> bool:
    """Accounts need root; GRADER_SANDBOX_ACCOUNTS=off keeps learner code under the grader's own uid."""
    return os.geteuid() == 0 and os.environ.get("GRADER_SANDBOX_ACCOUNTS", "on") != "off"


def lease() -> Account:
    LEASES.mkdir(parents=True, exist_ok=True, mode=0o700)
    start = os.getpid() % COUNT  # spread concurrent runs over the range instead of all racing for the first uid
    for step in range(COUNT):
        uid = FIRST_UID + (start + step) % COUNT
        fd = os.open(LEASES / str(uid), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return Account(uid, uid, fd)
    raise RuntimeError(f"all {COUNT} sandbox accounts are in use")
