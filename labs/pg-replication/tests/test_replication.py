"""Public checks for pg-replication: a real subscription between two databases of the grading
server (grader/checks/replication.py). The publisher is a copy of opsdb, the subscriber an empty
database; the application's changes run as your role on the publisher; the checks wait on the
server's own progress markers (tables ready, slot confirmed past the publisher's WAL position),
then compare the subscriber's rows with the publisher's EU rows. Task 1 is checked with the
reference subscriber table, task 2 with the reference publication, task 3 with both.
"""

import pytest

from grader.checks.backup import emptied
from grader.checks.problems import Mismatch
from grader.checks.replication import Subscription, publisher
from grader.sqlcompare import Rules, compare

COLUMNS = "id, customer_id, region, placed_at, total, status"
CHANGES = """
INSERT INTO orders (customer_id, region, placed_at, total, status)
SELECT min(id), 'eu', '2024-06-01 10:00+00', 42.00, 'paid' FROM customers;
INSERT INTO orders (customer_id, region, placed_at, total, status)
SELECT min(id), 'us', '2024-06-01 11:00+00', 17.00, 'paid' FROM customers;
UPDATE orders SET total = total + 1 WHERE region = 'eu' AND id % 4 = 0;
UPDATE orders SET region = 'us' WHERE id = (SELECT min(id) FROM orders WHERE region = 'eu');
UPDATE orders SET region = 'eu' WHERE id = (SELECT min(id) FROM orders WHERE region = 'apac');
DELETE FROM orders WHERE id = (SELECT max(id) FROM orders WHERE region = 'eu' AND status = 'refunded');
UPDATE orders SET card_number = '4000000000000002' WHERE region = 'eu' AND id % 5 = 0;
"""


def ends(sql, publication, subscriber):
    """A publisher (copy of opsdb) and an empty subscriber, each with its script applied."""
    pub = publisher(sql)  # a fresh copy where CREATE PUBLICATION is allowed
    pub.run("01_publication.sql", publication, commit=True)
    sub = emptied(sql.fresh())
    sub.run("02_subscriber.sql", subscriber, commit=True)
    return pub, sub


def expect_replica(sql, pub, sub, when):
    expected = pub.query(f"SELECT {COLUMNS} FROM orders WHERE region = 'eu' ORDER BY id")
    try:
        actual = sub.query(f"SELECT {COLUMNS} FROM orders ORDER BY id")
    except Exception as exc:
        raise Mismatch(f"{when}, the subscriber's orders cannot be read with the published columns: {exc}") from None
    outcome = compare(expected, actual, Rules(ordered=True), reveal=sql.reveal)
    if not outcome.ok:
        raise Mismatch(f"{when}, the subscriber's orders are not the publisher's EU orders: {outcome.message}")


def replicate(sql, publication, subscriber, changes=CHANGES):
    pub, sub = ends(sql, publication, subscriber)
    with Subscription(pub.admin_url, sub.admin_url, "eu_orders") as subscription:
        subscription.wait_synced()
        expect_replica(sql, pub, sub, "after the initial copy")
        pub.expect_ok(changes, explain="the application's inserts, updates and deletes on the publisher must keep "
                      "working once orders is published", commit=True)
        subscription.wait_caught_up()
        expect_replica(sql, pub, sub, "after inserts, updates (rows moving into and out of the EU) and deletes")


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_card_numbers_are_not_published(sql):
    """eu_orders publishes orders without card_number, filtered on region"""
    pub = publisher(sql)
    pub.run("01_publication.sql", commit=True)
    rows = pub.query("SELECT attnames, rowfilter FROM pg_publication_tables "
                     "WHERE pubname = 'eu_orders' AND tablename = 'orders'").rows
    assert rows, "after 01_publication.sql there is no publication eu_orders that includes orders"
    columns, row_filter = rows[0]
    assert "card_number" not in columns, ("eu_orders publishes card_number: list the columns to publish "
                                          "after the table name, FOR TABLE orders (id, …)")
    assert row_filter, "eu_orders has no row filter: add WHERE (region = 'eu') after the table"


@pytest.mark.task(1)
@pytest.mark.points(4)
def test_eu_orders_flow_and_nothing_else(sql):
    """EU orders reach the subscriber, also after inserts, updates and deletes; other regions never do"""
    replicate(sql, "submission", "reference")


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_subscriber_table_receives_the_rows(sql):
    """the subscriber's table receives the initial copy and every later change"""
    replicate(sql, "reference", "submission")


def conflict_and_resolution(sql, manual_rows):
    pub, sub = ends(sql, "reference", "reference")
    with Subscription(pub.admin_url, sub.admin_url, "eu_orders") as subscription:
        subscription.wait_synced()
        (next_id,) = pub.query("SELECT last_value + 1 FROM orders_id_seq").rows[0]
        values = ", ".join(f"({next_id + i}, 0, 'eu', now(), 1.00, 'manual')" for i in range(manual_rows))
        sub.query(f"INSERT INTO orders ({COLUMNS}) VALUES {values}")  # someone wrote on the replica
        pub.expect_ok(CHANGES, explain="the application's changes on the publisher", commit=True)
        subscription.wait_for_error()
        sub.run("03_resolve.sql", commit=True)
        left = sub.query("SELECT count(*) FROM orders WHERE status = 'manual'").rows[0][0]
        assert left == 0, f"after 03_resolve.sql the replica still holds {left} row(s) written by hand, " \
                          "which block the publisher's rows with the same id"
        subscription.wait_caught_up(tolerate_errors=3)
        expect_replica(sql, pub, sub, "after 03_resolve.sql")


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_conflict_resolved_without_losing_rows(sql):
    """after the fix the stalled subscription resumes, and the replica holds exactly the publisher's EU rows"""
    conflict_and_resolution(sql, 1)
