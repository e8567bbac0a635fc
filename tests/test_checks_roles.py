"""grader/checks/roles.py and template extensions on a real server: the lab's fixed role names exist
only while the learner's script runs, privileges survive the per-copy rename, logins work, a role of
the same name the grader did not create is never touched, and everything is dropped at the end."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from grader.checks.problems import GraderFault, SubmissionProblem
from grader.checks.roles import LabRole, RoleCopy
from grader.checks.sql import SqlChecker
from grader.isolation.pg_run import PostgresRun
from grader.services.session import ServicePool

SEED = "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL); INSERT INTO notes (body) VALUES ('a'), ('b');"
ROLES = [LabRole("lab_test_group", login=False), LabRole("lab_test_user", login=True)]
GRANTS = "GRANT SELECT ON notes TO lab_test_group; GRANT lab_test_group TO lab_test_user;"


@pytest.fixture
def checker(pool: ServicePool, tmp_path: Path) -> Iterator[SqlChecker]:
    """A checker on a run's copy of the seeded template, as the grader builds it (the run's two roles)."""
    run = PostgresRun(pool.get("postgres").url, 3000)
    try:
        fingerprint = hashlib.sha256(SEED.encode()).hexdigest()[:12]
        template = run.iso.template("roles-test", "public", fingerprint, lambda: SEED, extensions=["pg_trgm"])

        def on(database: str) -> SqlChecker:
            return SqlChecker(run.learner_url(database), run.admin_url(database), tmp_path, None, 3000, True,
                              lambda: on(run.create_copy(template)), lambda rel: None,
                              reference_url=run.reference_url(database), repair=run.repair)

        yield on(run.create_copy(template))
    finally:
        run.close()


def admin(checker: SqlChecker, statement: str) -> None:
    with psycopg.connect(checker.admin_url, autocommit=True) as conn:
        conn.execute(statement)


def _roles_like(checker: SqlChecker, pattern: str) -> list[str]:
    return [str(r[0]) for r in checker.query("SELECT rolname FROM pg_roles WHERE rolname LIKE %s ORDER BY 1",
                                             (pattern,)).rows]


def test_grants_follow_the_renamed_roles_and_logins_work(checker: SqlChecker, tmp_path: Path) -> None:
    (tmp_path / "roles.sql").write_text(GRANTS)
    with RoleCopy(checker, "roles.sql", ROLES) as copy:
        assert _roles_like(checker, "lab_test_%") == [], "fixed names must be gone after the script"
        assert sorted(copy.renamed.values()) == [f"{copy.database}_lab_test_group", f"{copy.database}_lab_test_user"]
        user = copy.as_role("lab_test_user")
        assert user.expect_ok("SELECT count(*) FROM notes", explain="read").rows == [(2,)]
        user.expect_error("DELETE FROM notes", "42501", explain="no delete")
        assert copy.new_member("lab_test_group", "lab_test_new").expect_ok(
            "SELECT count(*) FROM notes", explain="the group's privilege").rows == [(2,)]
        with pytest.raises(GraderFault):
            copy.as_role("lab_test_group")  # NOLOGIN: checks cannot connect as it
    assert _roles_like(checker, f"{copy.database}%") == [], "close() drops every per-copy role"


def test_a_failing_script_is_the_learners_problem_and_leaves_no_roles(checker: SqlChecker, tmp_path: Path) -> None:
    (tmp_path / "roles.sql").write_text("GRANT SELECT ON no_such_table TO lab_test_user;")
    with pytest.raises(SubmissionProblem, match="no_such_table"):
        RoleCopy(checker, "roles.sql", ROLES)
    assert _roles_like(checker, "%lab_test_%") == []


def test_a_role_of_that_name_not_made_by_the_grader_is_left_alone(checker: SqlChecker, tmp_path: Path) -> None:
    (tmp_path / "roles.sql").write_text(GRANTS)
    admin(checker, "CREATE ROLE lab_test_user")
    try:
        with pytest.raises(GraderFault, match="already has one"):
            RoleCopy(checker, "roles.sql", ROLES)
        assert _roles_like(checker, "lab_test_%") == ["lab_test_user"]
    finally:
        admin(checker, "DROP ROLE lab_test_user")


def test_template_extensions_are_created_by_the_administrator(checker: SqlChecker) -> None:
    assert checker.query("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'").rows == [("pg_trgm",)]
    with psycopg.connect(checker.learner_url) as conn:
        assert conn.execute("SELECT similarity('postgres', 'postgers') > 0.3").fetchone() == (True,)
