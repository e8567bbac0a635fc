"""Login throttling in a dict: simple, fast — and one per process, forgotten at every restart."""

import os
import threading
import time

PER_ACCOUNT = int(os.environ["MAX_FAILURES_PER_ACCOUNT"])
PER_ADDRESS = int(os.environ["MAX_FAILURES_PER_IP"])
WINDOW = int(os.environ["LOCKOUT_SECONDS"])
FAILURES = {}  # key -> (count, window end)
LOCK = threading.Lock()


def account_key(email):
    return f"account:{email.strip().lower()}"


def address_key(remote_addr, forwarded_for):
    return f"ip:{remote_addr}"


def retry_after(keys):
    now = time.monotonic()
    waits = []
    with LOCK:
        for key, limit in zip(keys, (PER_ACCOUNT, PER_ADDRESS), strict=True):
            count, end = FAILURES.get(key, (0, now))
            if count >= limit and end > now:
                waits.append(int(end - now) + 1)
    return max(waits, default=0)


def record_failure(keys):
    now = time.monotonic()
    with LOCK:
        for key in keys:
            count, end = FAILURES.get(key, (0, now + WINDOW))
            FAILURES[key] = (count + 1, end) if end > now else (1, now + WINDOW)


def forget_account(key):
    with LOCK:
        FAILURES.pop(key, None)
