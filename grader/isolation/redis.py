"""Redis isolation: each run leases a flushed logical database and a user of its own for it.

The lease user may run neither @dangerous commands (KEYS, FLUSHALL, CONFIG…: a `KEYS *` fails loudly
instead of passing) nor SELECT any other database, MOVE or COPY: learner code reaches its own
database only, and database 0, where every connection starts before it SELECTs, which therefore holds
nothing. The leases (a database of their own) and the other runs' databases are out of its reach, and
its password is random per lease, never derived from anything a learner sees.

Pub/sub channels belong to the server, not to a database: two runs that name a channel alike would hear
each other's messages (and PUBSUB NUMSUB would count the other run's listeners). A lease's user may
only publish and subscribe on channels under its own `channel_prefix`, and checks name channels with it.

A lease names its owner (host and pid): the next run, or `grader services prune`, frees the leases
of a process that is gone instead of waiting for them to expire.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket

import redis

from grader import pids
from grader.checks.problems import GraderFault
from grader.isolation.urls import learner_password, with_database

LEARNER_USER = "grader_learner"  # the playground's user (its own database only)
LEASE_USER_PREFIX = "grader_lease_"
LEASE_KEY = "grader:lease:"
LEASE_SECONDS = 3600


# Server-wide state one run must not change under another: the script cache (SCRIPT FLUSH makes every other
# run's EVALSHA fail with NOSCRIPT) and Redis functions (a library loaded by one run is callable, replaceable
# and deletable by every other, and outlives the lease)
SERVER_WIDE = ["-script|flush", "-function|load", "-function|delete", "-function|flush", "-function|restore"]


def restricted_commands(db: int) -> list[str]:
    return ["+@all", "-@dangerous", "+info", "-select", f"+select|{db}", "-move", "-copy", *SERVER_WIDE]


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def databases(admin: redis.Redis) -> int:
    try:
        count = int(admin.config_get("databases").get("databases") or 16)
    except redis.RedisError as exc:
        raise GraderFault(f"cannot administer Redis: {exc}") from None
    if count < 4:
        raise GraderFault(f"the Redis server has {count} databases; the grader needs at least 4 (databases 16 in "
                          "its configuration)")
    return count


# How the logical databases are used. Every connection starts in database 0 and a lease's user may act
# there before any SELECT, so 0 holds nothing and is never leased; the leases are recorded in a database
# no lease's user can select; the last one is the playground's.
def registry_db(count: int) -> int:
    return count - 2


def leasable(count: int) -> range:
    return range(1, registry_db(count))


class RedisLease:
    """One logical database and its user for one run; released (flushed, user deleted) on close."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.token = secrets.token_hex(8)
        self.password = secrets.token_hex(16)
        self.admin = redis.Redis.from_url(with_database(admin_url, "0"), decode_responses=True)
        count = databases(self.admin)
        self.registry = redis.Redis.from_url(with_database(admin_url, str(registry_db(count))), decode_responses=True)
        self.db = self._lease(count)
        self.user = f"{LEASE_USER_PREFIX}{self.db}"
        self.channel_prefix = f"lease{self.db}:"
        self.admin.acl_setuser(
            self.user, enabled=True, passwords=[f"+{self.password}"], keys=["*"], channels=[f"{self.channel_prefix}*"],
            commands=restricted_commands(self.db), reset_passwords=True, reset_keys=True, reset_channels=True,
        )
        if self._has_clients():  # a killed run's learner code still connected as this lease's user
            self.admin.execute_command("CLIENT", "KILL", "USER", self.user)  # type: ignore[no-untyped-call]
        self.client = redis.Redis.from_url(with_database(admin_url, str(self.db)), decode_responses=True)
        self.client.flushdb()

    def _has_clients(self) -> bool:
        return any(c.get("user") == self.user for c in self.admin.client_list())

    def _lease(self, count: int) -> int:
        value = f"{_owner()}:{self.token}"
        for attempt in (1, 2):
            for db in leasable(count):
                if self.registry.set(f"{LEASE_KEY}{db}", value, nx=True, ex=LEASE_SECONDS):
                    return db
            if attempt == 1 and not release_leftovers(self.admin_url):
                break
        raise GraderFault(f"all {len(leasable(count))} Redis databases are leased by other runs; try again shortly")

    def learner_url(self) -> str:
        return with_database(self.admin_url, str(self.db), self.user, self.password)

    def close(self) -> None:
        try:
            with contextlib.suppress(redis.RedisError):
                self.admin.acl_deluser(self.user)
                self.admin.execute_command("CLIENT", "KILL", "USER", self.user)  # type: ignore[no-untyped-call]
            self.client.flushdb()
            if self.registry.get(f"{LEASE_KEY}{self.db}") == f"{_owner()}:{self.token}":
                self.registry.delete(f"{LEASE_KEY}{self.db}")
        finally:
            self.client.close()
            self.registry.close()
            self.admin.close()


def release_leftovers(admin_url: str) -> list[int]:
    """Free the leases of processes on this host that are gone (and flush and close their databases)."""
    admin = redis.Redis.from_url(with_database(admin_url, "0"), decode_responses=True)
    count = databases(admin)
    registry = redis.Redis.from_url(with_database(admin_url, str(registry_db(count))), decode_responses=True)
    freed = []
    host = socket.gethostname()
    try:
        for db in leasable(count):
            value = str(registry.get(f"{LEASE_KEY}{db}") or "")
            if not value:
                continue
            owner_host, _, rest = value.partition(":")
            pid = rest.split(":")[0]
            if owner_host != host or not pid.isdigit() or pids.alive(int(pid)):
                continue
            with contextlib.suppress(redis.RedisError):
                admin.acl_deluser(f"{LEASE_USER_PREFIX}{db}")
            with redis.Redis.from_url(with_database(admin_url, str(db))) as leftover:
                leftover.flushdb()
            if registry.get(f"{LEASE_KEY}{db}") == value:
                registry.delete(f"{LEASE_KEY}{db}")
                freed.append(db)
    finally:
        registry.close()
        admin.close()
    return freed


def playground_user(admin_url: str, db: int) -> str:
    """The learner's exploration user: its own database only, a password derived from the server's URL."""
    password = learner_password(admin_url)
    with redis.Redis.from_url(with_database(admin_url, "0")) as admin:
        admin.acl_setuser(LEARNER_USER, enabled=True, passwords=[f"+{password}"], keys=["*"], channels=["*"],
                          commands=restricted_commands(db), reset_passwords=True, reset_keys=True,
                          reset_channels=True)
    return password
