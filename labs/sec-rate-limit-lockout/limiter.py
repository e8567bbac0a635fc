"""Login throttling. TODO (README): count failed logins in Redis (REDIS_URL) per account and per
client address, lock for LOCKOUT_SECONDS after MAX_FAILURES_PER_ACCOUNT / MAX_FAILURES_PER_IP.

app.py already calls these four functions in the right places; today they throttle nothing.
"""

import os

import redis

STORE = redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
PER_ACCOUNT = int(os.environ["MAX_FAILURES_PER_ACCOUNT"])
PER_ADDRESS = int(os.environ["MAX_FAILURES_PER_IP"])
WINDOW = int(os.environ["LOCKOUT_SECONDS"])


def account_key(email):
    return f"login:fail:account:{email}"


def address_key(remote_addr, forwarded_for):
    return f"login:fail:ip:{remote_addr}"


def retry_after(keys):
    """Seconds the caller must wait (any exhausted counter among `keys`), or 0 to go ahead."""
    return 0


def record_failure(keys):
    """Count one failed login against each key."""


def forget_account(key):
    """A successful login: the account's failures are forgotten."""
