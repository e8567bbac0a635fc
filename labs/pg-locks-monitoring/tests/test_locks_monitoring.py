"""Public checks for pg-locks-monitoring. Tasks 1–2 run your query while real sessions (as your
role) hold and wait for locks (grader/checks/monitoring.py LockScene); tasks 3–4 run a workload,
then compare your query with the reference's, read before and after yours, at a moment when the
server's statistics did not move. Nothing depends on timing: waits are confirmed in pg_locks,
statistics are waited for.
"""

import psycopg
import pytest

from grader.checks import pg_server
from grader.checks.monitoring import LockScene, Step, at_rest, install_statement_statistics, wait_for
from grader.checks.problems import Mismatch
from grader.sqlcompare import Rules, compare


def ids(checker, table, n):
    return [r[0] for r in checker.query(f"SELECT id FROM {table} ORDER BY id LIMIT {n}").rows]


def scene_steps(checker):
    """A chain (c waits for b, b for a), a waiter with two blockers, and a reader that blocks nobody."""
    o1, o2 = ids(checker, "orders", 2)
    (c1,) = ids(checker, "customers", 1)
    return [
        Step("a", "BEGIN"), Step("a", f"UPDATE orders SET status = 'held' WHERE id = {o1}"),
        Step("b", "BEGIN"), Step("b", f"UPDATE orders SET status = 'packing' WHERE id = {o2}"),
        Step("b", f"UPDATE orders SET status = 'packing' WHERE id = {o1}", waits=True),
        Step("c", f"UPDATE orders SET total = total + 1 WHERE id = {o2}", waits=True),
        Step("s1", "BEGIN"), Step("s1", "LOCK TABLE customers IN SHARE MODE"),
        Step("s2", "BEGIN"), Step("s2", "LOCK TABLE customers IN SHARE MODE"),
        Step("w", f"UPDATE customers SET name = name WHERE id = {c1}", waits=True),
        Step("i", "BEGIN"), Step("i", "INSERT INTO audit_log (at, actor, message) VALUES (now(), 'ops', 'open')"),
        Step("r", "BEGIN"), Step("r", "SELECT count(*) FROM audit_log"),
        Step("x", "BEGIN"), Step("x", "LOCK TABLE audit_log IN SHARE MODE", waits=True),
    ]


def check_during_scene(sql, rel, steps):
    with LockScene(sql.learner_url, sql.admin_url, steps):
        expected, actual = at_rest(lambda: sql.run(rel, "reference"), lambda: sql.run(rel))
    outcome = compare(expected, actual, Rules(ordered=True), reveal=sql.reveal)
    if not outcome.ok:
        raise Mismatch(f"{rel}, run while sessions wait for locks: {outcome.message}")


@pytest.mark.task(1)
@pytest.mark.points(3)
def test_blockers_of_a_real_lock_wait(sql):
    """every waiting session with each session that blocks it, as pg_blocking_pids says"""
    check_during_scene(sql, "01_blockers.sql", scene_steps(sql))


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_root_blockers(sql):
    """the sessions that block others and wait for nobody"""
    check_during_scene(sql, "02_root_blockers.sql", scene_steps(sql))


WORKLOAD = [  # (statement, parameters, times): slow ones sleep, to stand for slow work
    ("SELECT pg_sleep(0.005), count(*) FROM orders WHERE status = %s", ("paid",), 40),
    ("SELECT pg_sleep(0.06), count(*) FROM customers", (), 1),
    ("SELECT pg_sleep(0.01), max(total) FROM orders WHERE region = %s", ("eu",), 10),
    ("SELECT pg_sleep(0.02), count(*) FROM audit_log WHERE actor = %s", ("ops",), 2),
    ("SELECT id FROM customers WHERE id = %s", (1,), 100),
    ("SELECT count(*) FROM readings WHERE device_id = %s", (3,), 20),
]


def statements_copy(sql):
    """A fresh copy with pg_stat_statements, the workload run as the learner role, and a slower
    statement in another database (which must not be counted)."""
    pg_server.require_setting(sql.admin_url, "shared_preload_libraries", "pg_stat_statements",
                              "pg_stat_statements collects statement statistics only when preloaded")
    copy = sql.fresh()
    install_statement_statistics(copy.admin_url)
    other = sql.fresh()
    with psycopg.connect(other.learner_url, autocommit=True) as conn:
        conn.execute("SELECT pg_sleep(0.3), count(*) FROM orders")
    with psycopg.connect(copy.learner_url, autocommit=True) as conn:
        for statement, params, times in WORKLOAD:
            for _ in range(times):
                conn.execute(statement, params)
    return copy


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_top_statements(sql):
    """the five statements with the largest total time in this database, as pg_stat_statements reports them"""
    copy = statements_copy(sql)
    expected, actual = at_rest(lambda: copy.run("03_top_statements.sql", "reference"),
                               lambda: copy.run("03_top_statements.sql"))
    outcome = compare(expected, actual, Rules(ordered=True), reveal=sql.reveal)
    if not outcome.ok:
        raise Mismatch(f"03_top_statements.sql, after a workload: {outcome.message}")


DEAD_WORK = [  # statements as the learner role; how many dead row versions each leaves
    ("UPDATE orders SET status = status WHERE region = 'eu'", "orders"),
    ("DELETE FROM audit_log WHERE id % 3 = 0", "audit_log"),
    ("UPDATE customers SET name = name WHERE region IS NULL", "customers"),
]


def dead_tuples_copy(sql):
    """A fresh copy, analysed, autovacuum off on its tables, then updates and deletes; waits until the
    statistics show every dead row version the workload left."""
    copy = sql.fresh()
    copy.query("ANALYZE")
    for table in ("orders", "audit_log", "customers", "readings"):
        copy.query(f"ALTER TABLE {table} SET (autovacuum_enabled = off)")
    dead = {}
    with psycopg.connect(copy.learner_url, autocommit=True) as conn:
        for statement, table in DEAD_WORK:
            dead[table] = dead.get(table, 0) + conn.execute(statement).rowcount
    # a backend's statistics reach the shared views when it ends (or idles): wait for them
    wait_for(lambda: all(copy.query("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = %s",
                                    (table,)).rows[0][0] >= count for table, count in dead.items()),
             "the statistics of the dead-tuple workload reaching pg_stat_user_tables")
    return copy


@pytest.mark.task(4)
@pytest.mark.points(3)
def test_dead_tuples(sql):
    """tables with dead tuples, their share, largest first, as pg_stat_user_tables reports them"""
    copy = dead_tuples_copy(sql)
    expected, actual = at_rest(lambda: copy.run("04_dead_tuples.sql", "reference"),
                               lambda: copy.run("04_dead_tuples.sql"))
    outcome = compare(expected, actual, Rules(ordered=True), reveal=sql.reveal)
    if not outcome.ok:
        raise Mismatch(f"04_dead_tuples.sql, after updates and deletes: {outcome.message}")
