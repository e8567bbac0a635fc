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
from grader.checks.problems import GraderFault, Mismatch
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
        # s2 connects first (the lower pid) but locks second: the order pg_blocking_pids lists them
        # in is not pid order, so only an ORDER BY on blocking_pid gives the order the task asks for
        Step("s2", "BEGIN"), Step("s1", "BEGIN"),
        Step("s1", "LOCK TABLE customers IN SHARE MODE"), Step("s2", "LOCK TABLE customers IN SHARE MODE"),
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
    # a dashboard polling the statistics, written in capitals: heavy enough to rank, and it must be left out
    ("SELECT PG_SLEEP(0.05), COUNT(*) FROM PG_STAT_STATEMENTS", (), 3),
]


ELSEWHERE = "SELECT pg_sleep(0.3), count(*) FROM orders"  # slower than anything in WORKLOAD


def run_elsewhere(other):
    """The slower statement, in another database; that database's name."""
    with psycopg.connect(other.learner_url, autocommit=True) as conn:
        conn.execute(ELSEWHERE)
        return conn.execute("SELECT current_database()").fetchone()[0]


def recorded_elsewhere(copy, database):
    """Whether pg_stat_statements still holds the other database's statement. On a busy shared server
    the view keeps a bounded number of entries and drops the least used: a one-call entry may go."""
    return copy.query("SELECT count(*) FROM public.pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
                      "WHERE d.datname = %s AND s.query LIKE 'SELECT pg_sleep%%'", (database,)).rows[0][0] > 0


def statements_copy(sql):
    """A fresh copy with pg_stat_statements, the workload run as the learner role, and a slower
    statement in another database (which must not be counted): the copy, the other copy, its name."""
    pg_server.require_setting(sql.admin_url, "shared_preload_libraries", "pg_stat_statements",
                              "pg_stat_statements collects statement statistics only when preloaded")
    copy = sql.fresh()
    install_statement_statistics(copy.admin_url)
    other = sql.fresh()
    database = run_elsewhere(other)
    with psycopg.connect(copy.learner_url, autocommit=True) as conn:
        for statement, params, times in WORKLOAD:
            for _ in range(times):
                conn.execute(statement, params)
    return copy, other, database


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_top_statements(sql):
    """the five statements with the largest total time in this database, as pg_stat_statements reports them"""
    copy, other, database = statements_copy(sql)
    for attempt in range(3):
        if attempt:
            run_elsewhere(other)
        expected, actual = at_rest(lambda: copy.run("03_top_statements.sql", "reference"),
                                   lambda: copy.run("03_top_statements.sql"))
        # an entry is only ever added by running its statement: present after the reads, present during them
        if recorded_elsewhere(copy, database):
            break
    else:
        raise GraderFault("pg_stat_statements kept dropping the other database's statement (the server "
                          "holds too many entries): raise pg_stat_statements.max")
    outcome = compare(expected, actual, Rules(ordered=True), reveal=sql.reveal)
    if not outcome.ok:
        raise Mismatch(f"03_top_statements.sql, after a workload: {outcome.message}")


DEAD_WORK = [  # statements as the learner role; how many dead row versions each leaves
    ("UPDATE orders SET status = status WHERE region = 'eu'", "orders"),
    ("DELETE FROM audit_log WHERE id % 3 = 0", "audit_log"),
    ("UPDATE customers SET name = name WHERE region IS NULL", "customers"),
]
# a table of another schema, named like one of public's, with dead row versions of its own: not counted
ARCHIVE = ("CREATE SCHEMA archive",
           "CREATE TABLE archive.audit_log (id int, message text) WITH (autovacuum_enabled = off)",
           "INSERT INTO archive.audit_log SELECT i, 'old' FROM generate_series(1, 900) AS i",
           "DELETE FROM archive.audit_log WHERE id % 2 = 0")


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
            dead["public", table] = dead.get(("public", table), 0) + conn.execute(statement).rowcount
    with psycopg.connect(copy.admin_url, autocommit=True) as conn:
        for statement in ARCHIVE:
            removed = conn.execute(statement).rowcount
        dead["archive", "audit_log"] = removed
    # a backend's statistics reach the shared views when it ends (or idles): wait for them
    wait_for(lambda: all(copy.query("SELECT n_dead_tup FROM pg_stat_user_tables WHERE schemaname = %s "
                                    "AND relname = %s", key).rows[0][0] >= count for key, count in dead.items()),
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
