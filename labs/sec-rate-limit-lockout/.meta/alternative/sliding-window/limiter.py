"""Login throttling with sliding windows in Redis sorted sets: each failure is a member scored by its
time; a key counts the failures of the last LOCKOUT_SECONDS, and expires with its newest member."""

import os
import time
import uuid

import redis

STORE = redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
LIMITS = {"account": int(os.environ["MAX_FAILURES_PER_ACCOUNT"]), "ip": int(os.environ["MAX_FAILURES_PER_IP"])}
WINDOW = int(os.environ["LOCKOUT_SECONDS"])


def account_key(email):
    return "throttle:account:" + " ".join(email.split()).casefold()


def address_key(remote_addr, forwarded_for):
    return f"throttle:ip:{remote_addr}"  # no proxy in front of this app: the peer address is the client


def _limit(key):
    return LIMITS[key.split(":")[1]]


def retry_after(keys):
    now = time.time()
    waits = []
    for key in keys:
        STORE.zremrangebyscore(key, "-inf", now - WINDOW)
        failures = STORE.zrange(key, 0, -1, withscores=True)
        limit = _limit(key)
        if len(failures) >= limit:
            # free again when enough old failures have left the window
            oldest_that_must_leave = failures[len(failures) - limit][1]
            waits.append(max(1, int(oldest_that_must_leave + WINDOW - now + 0.999)))
    return max(waits, default=0)


def record_failure(keys):
    now = time.time()
    with STORE.pipeline() as pipe:
        for key in keys:
            pipe.zadd(key, {uuid.uuid4().hex: now})
            pipe.expire(key, WINDOW)
        pipe.execute()


def forget_account(key):
    STORE.delete(key)
