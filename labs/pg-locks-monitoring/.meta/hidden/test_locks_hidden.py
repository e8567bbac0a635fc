"""Hidden checks for pg-locks-monitoring: another lock scene — two separate queues on one row,
a lock on a table that a schema change waits for, and two idle readers."""

import importlib.util
from pathlib import Path

import pytest

from grader.checks.monitoring import Step

_spec = importlib.util.spec_from_file_location(
    "locks_public_checks", Path(__file__).resolve().parents[2] / "tests" / "test_locks_monitoring.py")
public = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(public)


def other_scene(checker):
    o1, o2, o3 = public.ids(checker, "orders", 3)
    return [
        Step("r1", "BEGIN"), Step("r1", "SELECT count(*) FROM readings"),
        Step("h", "BEGIN"), Step("h", f"SELECT * FROM orders WHERE id = {o3} FOR UPDATE"),
        Step("q1", f"UPDATE orders SET status = 'x' WHERE id = {o3}", waits=True),
        Step("q2", f"DELETE FROM orders WHERE id = {o3}", waits=True),
        Step("k", "BEGIN"), Step("k", f"UPDATE orders SET total = total WHERE id IN ({o1}, {o2})"),
        Step("r2", "BEGIN"), Step("r2", "SELECT count(*) FROM audit_log"),
        Step("ddl", "ALTER TABLE audit_log ADD COLUMN note text", waits=True),
    ]


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_blockers_in_another_scene(sql):
    """the blockers of another set of waiting sessions"""
    public.check_during_scene(sql, "01_blockers.sql", other_scene(sql))


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_root_blockers_in_another_scene(sql):
    """the root blockers of another set of waiting sessions"""
    public.check_during_scene(sql, "02_root_blockers.sql", other_scene(sql))
