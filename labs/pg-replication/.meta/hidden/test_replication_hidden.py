"""Hidden checks for pg-replication: other changes (a row leaving and coming back in one
transaction, many deletes, a row moving between two non-EU regions) and a larger conflict."""

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "replication_public_checks", Path(__file__).resolve().parents[2] / "tests" / "test_replication.py")
public = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(public)

OTHER_CHANGES = """
UPDATE orders SET region = 'apac' WHERE id = (SELECT max(id) FROM orders WHERE region = 'eu');
UPDATE orders SET region = 'eu', status = 'shipped' WHERE id = (SELECT max(id) FROM orders WHERE region = 'apac');
DELETE FROM orders WHERE region = 'eu' AND status = 'pending';
UPDATE orders SET region = 'apac' WHERE id = (SELECT min(id) FROM orders WHERE region = 'us');
INSERT INTO orders (customer_id, region, placed_at, total, status)
SELECT id, CASE WHEN id % 2 = 0 THEN 'eu' ELSE 'us' END, '2024-06-02 09:00+00', 5.00, 'paid' FROM customers;
"""


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_other_changes_flow(sql):
    """another mix of changes reaches the subscriber exactly as filtered"""
    public.replicate(sql, "submission", "reference", OTHER_CHANGES)


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_larger_conflict(sql):
    """several rows written by hand on the replica block the subscription; after the fix nothing is lost"""
    public.conflict_and_resolution(sql, 3)
