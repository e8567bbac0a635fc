"""Redis isolation: each run leases a flushed logical database; the learner's user cannot run
@dangerous commands (KEYS, FLUSHALL, CONFIG…), so a `KEYS *` fails loudly instead of passing.
"""

from __future__ import annotations

import secrets

import redis

from grader.checks.problems import GraderFault
from grader.isolation.urls import learner_password, with_database

LEARNER_USER = "grader_learner"
LEASE_SECONDS = 3600


class RedisLease:
    """One logical database for one run; released (flushed) on close."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.token = secrets.token_hex(8)
        self.password = learner_password(admin_url)
        self.admin = redis.Redis.from_url(with_database(admin_url, "0"), decode_responses=True)
        try:
            databases = int(self.admin.config_get("databases").get("databases") or 16)
        except redis.RedisError as exc:
            raise GraderFault(f"cannot administer Redis: {exc}") from None
        self.db = self._lease(databases)
        self.admin.acl_setuser(
            LEARNER_USER, enabled=True, passwords=[f"+{self.password}"], keys=["*"], channels=["*"],
            commands=["+@all", "-@dangerous", "+info", "+select"], reset_passwords=True,
        )
        self.client = redis.Redis.from_url(with_database(admin_url, str(self.db)), decode_responses=True)
        self.client.flushdb()

    def _lease(self, databases: int) -> int:
        for db in range(1, databases - 1):  # 0 holds the leases, the last is the playground
            if self.admin.set(f"grader:lease:{db}", self.token, nx=True, ex=LEASE_SECONDS):
                return db
        raise GraderFault(f"all {databases - 1} Redis databases are leased by other runs; try again shortly")

    def learner_url(self) -> str:
        return with_database(self.admin_url, str(self.db), LEARNER_USER, self.password)

    def close(self) -> None:
        try:
            self.client.flushdb()
            if self.admin.get(f"grader:lease:{self.db}") == self.token:
                self.admin.delete(f"grader:lease:{self.db}")
        finally:
            self.client.close()
            self.admin.close()
