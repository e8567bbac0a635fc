"""Hidden checks: the sequence privilege is the narrow one, the analyst holds nothing of its own,
and reporting cannot remove data."""

import pytest

from grader.checks.roles import LabRole, RoleCopy

ROLES = [LabRole("lab_reporting", login=False), LabRole("lab_analyst", login=True), LabRole("lab_app", login=True)]
DENIED = "42501"


@pytest.fixture
def shop(sql):
    with RoleCopy(sql, "roles.sql", ROLES) as copy:
        yield copy


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_app_may_draw_from_sequences_but_not_reset_them(shop):
    """lab_app may call nextval on the order sequence but not setval"""
    app = shop.as_role("lab_app")
    app.expect_ok("SELECT nextval('shop.orders_id_seq')", explain="USAGE on the sequence allows nextval")
    app.expect_error("SELECT setval('shop.orders_id_seq', 1)", DENIED,
                     explain="setval needs UPDATE on the sequence: grant USAGE only")


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_analyst_holds_nothing_directly(shop):
    """lab_analyst has no table or column privileges of its own, and is a member of lab_reporting"""
    analyst, group = shop.renamed["lab_analyst"], shop.renamed["lab_reporting"]
    direct = shop.checker.query(
        "SELECT (SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = %s) "
        "+ (SELECT count(*) FROM information_schema.column_privileges WHERE grantee = %s)", (analyst, analyst))
    assert direct.rows == [(0,)], "grant privileges to lab_reporting, not to lab_analyst directly"
    member = shop.checker.query("SELECT pg_has_role(%s, %s, 'MEMBER')", (analyst, group))
    assert member.rows == [(True,)], "lab_analyst must be a member of lab_reporting"


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_reporting_cannot_remove_data(shop):
    """lab_analyst cannot delete or truncate, nor create tables in shop"""
    analyst = shop.as_role("lab_analyst")
    analyst.expect_error("DELETE FROM shop.orders", DENIED, explain="reporting is read-only: no DELETE")
    analyst.expect_error("TRUNCATE shop.orders", DENIED, explain="reporting is read-only: no TRUNCATE")
    analyst.expect_error("CREATE TABLE shop.mine (id integer)", DENIED, explain="reporting must not create tables")
