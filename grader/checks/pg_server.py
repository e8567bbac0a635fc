"""What a PostgreSQL administration check needs from the server itself: a setting, its client tools.

A missing setting or tool is the grader's problem, never the learner's: both become a GraderFault
that names the fix for each backend (the grader's own servers have them; a `url` server may not).
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from grader.checks.problems import GraderFault
from grader.services.postgres import client_bindir

RESTART_WARM = "restart a warm server started before this grader version: grader services down; grader services up"


def setting(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        row = conn.execute("SELECT current_setting(%s, true)", (name,)).fetchone()
    return str(row[0]) if row and row[0] is not None else ""


def require_setting(admin_url: str, name: str, wanted: str, why: str) -> None:
    """The server runs with `name` = `wanted` (for a list setting: `wanted` is one of its items)."""
    value = setting(admin_url, name)
    if wanted in [item.strip() for item in value.split(",")]:
        return
    raise GraderFault(
        f"this check needs the server setting {name} = '{wanted}' ({why}), and this server has "
        f"{name} = '{value}'. The grader's own servers (local and docker backends) start with it; "
        f"{RESTART_WARM}. A server named by GRADER_POSTGRES_URL cannot grade this lab until its "
        f"administrator sets {name} = '{wanted}' in postgresql.conf and restarts it; or unset "
        "GRADER_POSTGRES_URL to let the grader start its own server"
    )


def server_major(admin_url: str) -> int:
    return int(setting(admin_url, "server_version_num")) // 10000


def client_tools(admin_url: str) -> Path:
    """The folder with pg_dump, pg_restore and psql for this server's major version (or a newer one)."""
    major = server_major(admin_url)
    folder = client_bindir(major)
    if folder is None:
        raise GraderFault(
            f"no pg_dump/pg_restore for PostgreSQL {major} (or newer) on this machine: install your system's "
            f"PostgreSQL {major} client package (e.g. postgresql-client-{major}) or set GRADER_PG_BINDIR "
            "to a folder holding them"
        )
    return folder
