"""Login throttling in Redis, shared by every process of the app and surviving its restarts.

Two fixed-window counters, each a key with an expiry: failures per account (the e-mail, normalized)
and failures per client address (the socket's peer — X-Forwarded-For is the client's to write, and
is trusted only from a proxy listed in TRUSTED_PROXIES, of which there are none here).
"""

import os

import redis

STORE = redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
PER_ACCOUNT = int(os.environ["MAX_FAILURES_PER_ACCOUNT"])
PER_ADDRESS = int(os.environ["MAX_FAILURES_PER_IP"])
WINDOW = int(os.environ["LOCKOUT_SECONDS"])
TRUSTED_PROXIES = frozenset(p for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p)


def account_key(email):
    return f"login:fail:account:{email.strip().lower()}"


def address_key(remote_addr, forwarded_for):
    client = remote_addr
    if remote_addr in TRUSTED_PROXIES and forwarded_for:
        client = forwarded_for.split(",")[-1].strip()  # the address our own proxy saw
    return f"login:fail:ip:{client}"


def retry_after(keys):
    """Seconds until every exhausted counter among `keys` expires; 0 when none is exhausted."""
    limits = dict(zip(keys, (PER_ACCOUNT, PER_ADDRESS), strict=True))
    counts = STORE.mget(keys)
    waits = [STORE.ttl(key) for key, count in zip(keys, counts, strict=True) if int(count or 0) >= limits[key]]
    return max([max(wait, 1) for wait in waits], default=0)


def record_failure(keys):
    with STORE.pipeline() as pipe:
        for key in keys:
            pipe.incr(key)
        pipe.execute()


def forget_account(key):
    STORE.delete(key)
