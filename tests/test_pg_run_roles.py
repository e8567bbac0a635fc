"""A grading run's PostgreSQL login roles: random passwords stored as one-iteration SCRAM secrets."""

from __future__ import annotations

import psycopg
import pytest

from grader.isolation.pg_run import PostgresRun
from grader.isolation.urls import with_database
from grader.services.session import ServicePool


def test_run_roles_log_in_with_one_iteration_secrets_and_refuse_a_wrong_password(pool: ServicePool) -> None:
    admin = pool.get("postgres").url
    run = PostgresRun(admin, 5000)
    try:
        database = run.create_copy(None)
        with psycopg.connect(run.learner_url(database)) as conn:
            assert conn.execute("SELECT current_user").fetchone() is not None
        with psycopg.connect(admin) as conn:
            row = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (run.learner.name,)).fetchone()
        assert row is not None and str(row[0]).startswith("SCRAM-SHA-256$1:"), row
        wrong = with_database(admin, database, run.learner.name, run.learner.password[::-1])
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(wrong, connect_timeout=5)
        run.repair()  # sets the secret again, as after a learner changed their password
        with psycopg.connect(run.learner_url(database)) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        run.close()


def test_a_dropped_copy_takes_its_open_and_just_closed_sessions_with_it(pool: ServicePool) -> None:
    """drop() ends the sessions on a run database itself (DROP DATABASE would poll for them in 100 ms steps)."""
    admin = pool.get("postgres").url
    run = PostgresRun(admin, 5000)
    try:
        database = run.create_copy(None)
        psycopg.connect(run.learner_url(database)).close()  # its backend may still be exiting
        lingering = psycopg.connect(run.learner_url(database), autocommit=True)
        lingering.execute("BEGIN")  # an idle transaction a learner left open
        run.drop(database)
        with psycopg.connect(admin) as conn:
            assert conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone() is None
            assert conn.execute("SELECT 1 FROM pg_stat_activity WHERE datname = %s", (database,)).fetchone() is None
        with pytest.raises(psycopg.OperationalError):
            lingering.execute("SELECT 1")
        lingering.close()
    finally:
        run.close()


def test_a_closed_run_drops_all_its_databases_with_their_sessions(pool: ServicePool) -> None:
    """close() drops the run's databases side by side (each drop forces a checkpoint; together they share one)."""
    admin = pool.get("postgres").url
    run = PostgresRun(admin, 5000)
    databases = [run.create_copy(None) for _ in range(4)]
    sessions = [psycopg.connect(run.learner_url(name), autocommit=True) for name in databases]
    sessions[0].execute("BEGIN")  # an idle transaction a learner left open
    run.close()
    with psycopg.connect(admin) as conn:
        left = conn.execute("SELECT datname FROM pg_database WHERE datname = ANY(%s)", (databases,)).fetchall()
        assert left == []
        assert conn.execute("SELECT 1 FROM pg_stat_activity WHERE datname = ANY(%s)", (databases,)).fetchone() is None
    for session in sessions:
        session.close()


def test_drop_all_names_the_databases_it_could_not_drop(pool: ServicePool) -> None:
    admin = pool.get("postgres").url
    run = PostgresRun(admin, 5000)
    try:
        databases = [run.create_copy(None) for _ in range(3)]
        with psycopg.connect(admin, autocommit=True) as conn:  # PostgreSQL refuses to drop a template database
            conn.execute(f'ALTER DATABASE "{databases[1]}" WITH IS_TEMPLATE true')
        assert run.iso.drop_all(databases) == [databases[1]]
        with psycopg.connect(admin, autocommit=True) as conn:
            left = conn.execute("SELECT datname FROM pg_database WHERE datname = ANY(%s)", (databases,)).fetchall()
            assert left == [(databases[1],)]
            conn.execute(f'ALTER DATABASE "{databases[1]}" WITH IS_TEMPLATE false')
    finally:
        run.close()
