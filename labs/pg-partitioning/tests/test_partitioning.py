"""Public checks for pg-partitioning: the partitioned table's layout (from the catalog), where every
row lands (tableoid), the index on every partition, and the plan of the March query (EXPLAIN).

Tasks 2–4 start from the reference's task 1, so each task is graded on its own.
"""

import pytest

from grader.checks.explain import explain
from grader.checks.problems import Mismatch
from grader.checks.sql import COMMENTS
from grader.sqlcompare import Rules, compare

PARTITIONS = """
SELECT c.relname::text AS partition, pg_get_expr(c.relpartbound, c.oid) AS bound
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = to_regclass('readings')
ORDER BY 1
"""
PLACEMENT = "SELECT tableoid::regclass::text AS partition, device_id, recorded_at, value FROM readings"
INDEXES = """
SELECT x.indexrelid::regclass::text AS name, x.indisvalid AS valid,
       array(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns
FROM pg_index x WHERE x.indrelid = to_regclass('readings')
"""
UNINDEXED_PARTITIONS = """
SELECT p.relname::text FROM pg_inherits pi JOIN pg_class p ON p.oid = pi.inhrelid
WHERE pi.inhparent = to_regclass('readings')
  AND NOT EXISTS (SELECT 1 FROM pg_inherits ii JOIN pg_index x ON x.indexrelid = ii.inhrelid
                  WHERE ii.inhparent = to_regclass(%s) AND x.indrelid = p.oid)
ORDER BY 1
"""


def layout(checker):
    return {name: bound for name, bound in checker.query(PARTITIONS).rows}


def expect_layout(expected, actual, after):
    """The same partitions with the same bounds; the message says which one differs and how."""
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    problems = [f"partition {name} is missing (expected {expected[name]})" for name in missing]
    problems += [f"{name} should not be a partition of readings" for name in extra]
    problems += [f"{name} is {actual[name]}, expected {expected[name]}" for name in sorted(expected)
                 if name in actual and actual[name] != expected[name]]
    if problems:
        raise Mismatch(f"after {after}, the partitions of readings differ: " + "; ".join(problems)
                       + ". FROM is inclusive and TO exclusive: a month is FROM (its first day) TO (the next "
                       "month's first day), so consecutive months share a bound and nothing falls between them")


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_partitioned_by_range_of_recorded_at(sql):
    """readings is partitioned BY RANGE (recorded_at)"""
    copy = sql.applied("01_partition.sql")
    (key,) = copy.query("SELECT pg_get_partkeydef(to_regclass('readings'))").rows[0]
    assert key == "RANGE (recorded_at)", (
        f"after 01_partition.sql, readings is {'not partitioned' if key is None else 'partitioned by ' + key}; "
        "expected PARTITION BY RANGE (recorded_at)")


COLUMNS = """
SELECT attname::text AS name, format_type(atttypid, atttypmod) AS type, attnotnull AS not_null
FROM pg_attribute WHERE attrelid = to_regclass('readings') AND attnum > 0 AND NOT attisdropped
ORDER BY attnum
"""


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_same_columns_as_before(sql):
    """the new readings keeps the columns of the old one: names, types and NOT NULL"""
    expected = sql.applied("01_partition.sql", "reference").query(COLUMNS).rows
    actual = {name: (kind, not_null) for name, kind, not_null in sql.applied("01_partition.sql").query(COLUMNS).rows}
    problems = []
    for name, kind, not_null in expected:
        if name not in actual:
            problems.append(f"column {name} is missing")
        elif actual[name][0] != kind:
            problems.append(f"{name} is {actual[name][0]}, expected {kind}")
        elif actual[name][1] != not_null:
            problems.append(f"{name} {'is NOT NULL' if actual[name][1] else 'allows NULL'}, the old readings "
                            f"{'declares it NOT NULL' if not_null else 'allows NULL'}")
    assert not problems, (
        "after 01_partition.sql, readings does not have the columns of the table it replaces: " + "; ".join(problems)
        + ". Copy each column with its type and NOT NULL: with a default partition, a reading without a time "
        "(recorded_at NULL) would be accepted into readings_default instead of being refused")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_monthly_partitions_and_a_default(sql):
    """six monthly partitions without gap or overlap, and a default partition"""
    expected = layout(sql.applied("01_partition.sql", "reference"))
    actual = layout(sql.applied("01_partition.sql"))
    expect_layout(expected, actual, "01_partition.sql")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_every_row_in_its_partition(sql):
    """every reading is kept and lands in its month's partition (month boundaries included)"""
    sql.check_after("01_partition.sql", PLACEMENT)
    copy = sql.applied("01_partition.sql")
    left = copy.query("SELECT count(*) FROM pg_class WHERE relname = 'readings_unpartitioned'").rows[0][0]
    assert left == 0, "01_partition.sql must drop readings_unpartitioned once its rows are copied"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_rotation_layout(sql):
    """January detached, July attached with the right bounds"""
    expected = layout(sql.applied("02_rotate.sql", "reference", after=["01_partition.sql"]))
    actual = layout(sql.applied("02_rotate.sql", after=["01_partition.sql"]))
    expect_layout(expected, actual, "02_rotate.sql")


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_rotation_keeps_every_row(sql):
    """July's rows move out of the default partition; January stays a table of its own"""
    sql.check_after("02_rotate.sql", PLACEMENT, after=["01_partition.sql"])
    sql.check_after("02_rotate.sql", "SELECT device_id, recorded_at, value FROM readings_2024_01",
                    after=["01_partition.sql"])


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_index_on_every_partition(sql):
    """a valid index on readings (device_id, recorded_at), present on every partition"""
    copy = sql.applied("03_index.sql", after=["01_partition.sql"])
    fitting = [(name, valid) for name, valid, columns in copy.query(INDEXES).rows
               if columns[:2] == ["device_id", "recorded_at"]]
    assert fitting, ("after 03_index.sql, readings itself has no index on (device_id, recorded_at): create it on "
                     "the partitioned table, not on each partition, so every partition (and every future one) gets it")
    name, valid = fitting[0]
    unindexed = [row[0] for row in copy.query(UNINDEXED_PARTITIONS, (name,)).rows]
    assert valid and not unindexed, (
        f"the index {name} on readings is not valid: partitions without it: {', '.join(unindexed) or 'none'}. "
        "CREATE INDEX … ON ONLY readings makes an empty shell; plain CREATE INDEX ON readings builds it everywhere")


def query_text(checker, rel, source):
    text = COMMENTS.sub("", checker._read(rel, source)).strip().rstrip(";").strip()
    if ";" in text:
        raise Mismatch(f"{rel} must hold one SELECT statement")
    return text


@pytest.mark.task(4)
@pytest.mark.points(1)
def test_march_result(sql):
    """the March query returns the reference's rows, in order"""
    copy = sql.applied("01_partition.sql", "reference")
    outcome = compare(copy.run("04_march.sql", "reference"), copy.run("04_march.sql"), Rules(ordered=True),
                      reveal=sql.reveal)
    if not outcome.ok:
        raise Mismatch(f"04_march.sql: {outcome.message}")


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_march_prunes_partitions(sql):
    """EXPLAIN shows that the March query reads March's partition only"""
    copy = sql.applied("01_partition.sql", "reference")
    plan = explain(copy.learner_url, query_text(copy, "04_march.sql", "submission"))
    read = sorted({n.relation for n in plan.root.walk() if n.relation and n.relation.startswith("readings")})
    assert read == ["readings_2024_03"], (
        f"04_march.sql reads {', '.join(read) or 'no partition'}; expected readings_2024_03 only. The planner "
        "prunes partitions only when the WHERE compares the partition key itself with constants "
        "(recorded_at >= … AND recorded_at < …); a function or cast around recorded_at hides the key")
