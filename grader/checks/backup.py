"""Backup and restore scripts, graded by what they bring back.

A learner's script is a shell script that calls pg_dump / pg_restore / psql. It runs (through
grader/worker/scripts.py) with the client tools of the server's own major version first on PATH
and only the learner role's connection in its environment (PGHOST, PGPORT, PGUSER, PGPASSWORD,
PGDATABASE). What it restored is read from the catalog as administrator and compared with a
snapshot of the database taken before the damage: rows, sequences, constraints, indexes, column
defaults — and who owns what.
"""

from __future__ import annotations

import contextlib
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import psycopg
from psycopg import sql as pgsql

from grader.checks import pg_server
from grader.checks.problems import GraderFault, SubmissionProblem
from grader.checks.sql import Source, SqlChecker
from grader.isolation.postgres import LEARNER_ROLE
from grader.worker.scripts import ScriptRun, run_script

SCRIPT_TIMEOUT_S = 60.0
TABLES = "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1"
SEQUENCES = "SELECT sequencename::text, last_value FROM pg_sequences WHERE schemaname = 'public'"
CONSTRAINTS = """
SELECT c.relname::text, k.conname::text, pg_get_constraintdef(k.oid) FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
WHERE k.connamespace = 'public'::regnamespace AND k.contype IN ('p', 'u', 'f', 'c')
"""
INDEXES = "SELECT tablename::text, indexname::text, indexdef FROM pg_indexes WHERE schemaname = 'public'"
DEFAULTS = """
SELECT c.relname::text, a.attname::text,
       coalesce(pg_get_expr(d.adbin, d.adrelid), CASE WHEN a.attidentity <> '' THEN 'identity' END)
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
  AND (d.adbin IS NOT NULL OR a.attidentity <> '')
"""
OWNERS = """
SELECT relname::text, pg_get_userbyid(relowner)::text FROM pg_class
WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S', 'v', 'm', 'p')
"""


@dataclass(frozen=True)
class Snapshot:
    """What a restore must bring back, read as administrator (whose search_path is the catalog only: names
    of the learner's tables are qualified, and tables are named by relname, never by a regclass text)."""

    rows: dict[str, list[tuple[Any, ...]]]
    sequences: dict[str, int | None]
    constraints: dict[tuple[str, str], str]
    indexes: dict[tuple[str, str], str]
    defaults: dict[tuple[str, str], str]
    owners: dict[str, str]

    @classmethod
    def read(cls, admin_url: str) -> Snapshot:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            def pairs(query: str) -> dict[Any, Any]:
                return {tuple(r[:-1]) if len(r) > 2 else r[0]: r[-1] for r in conn.execute(query).fetchall()}

            rows = {}
            for (table,) in conn.execute(TABLES).fetchall():
                statement = pgsql.SQL("SELECT * FROM {}").format(pgsql.Identifier("public", table))
                rows[table] = sorted((tuple(r) for r in conn.execute(statement).fetchall()), key=repr)
            return cls(rows, pairs(SEQUENCES), pairs(CONSTRAINTS), pairs(INDEXES), pairs(DEFAULTS), pairs(OWNERS))

    def differences(self, restored: Snapshot, only: set[str] | None = None, reveal: bool = True) -> list[str]:
        """What `restored` lacks or has otherwise than this snapshot (tables in `only`, or all); numbers
        (row counts, sequence positions) only when `reveal` (public data)."""
        def wanted(table: str) -> bool:
            return only is None or table in only or any(table.startswith(f"{t}_") for t in only)

        problems = []
        for table, rows in self.rows.items():
            if not wanted(table):
                continue
            if table not in restored.rows:
                problems.append(f"table {table} is missing")
            elif restored.rows[table] != rows:
                counts = f" ({len(restored.rows[table])} rows, it had {len(rows)})" if reveal else ""
                problems.append(f"table {table} does not hold the rows it had{counts}")
        for name, value in self.sequences.items():
            if not wanted(name):
                continue
            if name not in restored.sequences:
                problems.append(f"sequence {name} is missing (new rows would get no id, or ids that exist)")
            elif restored.sequences[name] != value:
                where = f" at {restored.sequences[name]}, expected {value}" if reveal else " elsewhere than it did"
                problems.append(f"sequence {name} stands{where}: the next insert would reuse an id or skip ahead")
        for label, mine, theirs in (("constraint", self.constraints, restored.constraints),
                                    ("index", self.indexes, restored.indexes),
                                    ("default", self.defaults, restored.defaults)):
            for (table, name), definition in mine.items():
                if wanted(table) and theirs.get((table, name)) != definition:
                    problems.append(f"{table} lacks the {label} {name} ({definition})")
        return problems


class ClientScripts:
    """Runs the submission's or the reference's shell scripts with the server's client tools."""

    def __init__(self, sql: SqlChecker, timeout_s: float = SCRIPT_TIMEOUT_S) -> None:
        self.sql = sql
        self.tools = pg_server.client_tools(sql.admin_url)
        self.timeout_s = timeout_s

    def run(self, rel: str, source: Source, database: SqlChecker, args: list[str], workdir: Path) -> ScriptRun:
        """The script, run in `workdir` on `database` as the learner role; a failed run is the script's fault."""
        folder = self.sql.reference_dir if source == "reference" else self.sql.submission_dir
        script = (folder or Path()) / rel
        if not script.is_file():
            if source == "reference":
                raise GraderFault(f"the reference solution has no {rel}")
            raise SubmissionProblem(f"{rel} is missing: restore the starter file and write your script in it")
        if source == "submission":
            self.sql._touched(rel)
        copy = workdir / Path(rel).name  # the script runs from a private folder, not from the lab
        copy.write_bytes(script.read_bytes())
        result = run_script(copy, args, learner_environment(database.learner_url, self.tools, workdir), workdir,
                            self.timeout_s)
        if result.ok:
            return result
        what = (f"did not finish within {self.timeout_s:g} s" if result.exit_code is None
                else f"exited with status {result.exit_code}")
        if source == "reference":
            raise GraderFault(f"the reference {rel} {what}:\n{result.output}")
        shown = (f"; its output:\n{result.output}" if result.output else "; it printed nothing") if self.sql.reveal \
            else " (its output is not shown on the hidden data)"
        raise SubmissionProblem(f"{rel} {' '.join(args_for_humans(args, workdir))} {what}{shown}")


def args_for_humans(args: list[str], workdir: Path) -> list[str]:
    return [a.replace(str(workdir) + "/", "") for a in args]


def learner_environment(learner_url: str, tools: Path, home: Path) -> dict[str, str]:
    """Only the learner role's connection, and the server's client tools first on PATH. PGOPTIONS carries
    the URL's session settings (limits, and acting as the data owner), so what a script restores
    belongs to the data owner, as what the learner's SQL creates does."""
    parts = urlsplit(learner_url)
    options = parse_qs(parts.query).get("options", [""])[0]
    return {
        "PATH": f"{tools}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LC_ALL": "C.UTF-8",
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "PGUSER": unquote(parts.username or ""),
        "PGPASSWORD": unquote(parts.password or ""),
        "PGDATABASE": parts.path.lstrip("/"),
        "PGCONNECT_TIMEOUT": "10",
        **({"PGOPTIONS": options} if options else {}),
    }


@contextlib.contextmanager
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="grader-backup-") as folder:
        yield Path(folder)


def admin(database: SqlChecker, statement: str) -> None:
    try:
        with psycopg.connect(database.admin_url, autocommit=True) as conn:
            conn.execute(statement.encode())
    except psycopg.Error as exc:
        raise GraderFault(f"the check's setup failed: {exc}") from None


@contextlib.contextmanager
def foreign_owner(database: SqlChecker, table: str) -> Iterator[str]:
    """`table` (and its sequence) owned by a role of its own, as in production, where the learner may only
    read it; the role is removed at the end (its objects go to the learner role)."""
    role = f"grader_owner_{secrets.token_hex(4)}"
    ident = pgsql.Identifier(role).as_string(None)
    qualified = pgsql.Identifier("public", table).as_string(None)  # the admin's search_path is the catalog only
    admin(database, f"CREATE ROLE {ident} NOLOGIN; ALTER TABLE {qualified} OWNER TO {ident}; "
                    f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {LEARNER_ROLE}; "
                    f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {LEARNER_ROLE};")
    try:
        yield role
    finally:
        drop_role(database, role)


def drop_role(database: SqlChecker, role: str) -> None:
    """Hand the role's objects in `database` to the learner role and drop it (a no-op once it is gone)."""
    ident = pgsql.Identifier(role).as_string(None)
    with psycopg.connect(database.admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is None:
            return
        conn.execute(f"REASSIGN OWNED BY {ident} TO {LEARNER_ROLE}; DROP OWNED BY {ident}; DROP ROLE {ident}".encode())


def emptied(database: SqlChecker) -> SqlChecker:
    """`database` with nothing in it: a new, empty database the learner role owns, to restore into."""
    admin(database, f"DROP SCHEMA public CASCADE; CREATE SCHEMA public AUTHORIZATION {LEARNER_ROLE};")
    return database
