"""Public checks for pg-row-level-security: your policies.sql runs on a fresh copy; then the checks
connect as the table's owner — the application's account — set app.tenant_id like the application
does, and try reads and writes. Every statement runs in a transaction that is rolled back. What each
tenant owns is read from the seeded database without your policies (`sql`): the checks' own role is
the table's owner too, so on the copy with FORCEd policies it would see only what they let through."""

import pytest

DENIED = "42501"  # insufficient_privilege: "new row violates row-level security policy"


@pytest.fixture
def db(sql):
    return sql.applied("policies.sql")


def tenant(t):
    return f"SET app.tenant_id = '{t}'; "


def pair(sql):
    """Two tenants with invoices: the smallest id and the largest (in both variants the first is a
    prefix of the second, e.g. 1 and 12); read from the seeded database, without the policies."""
    (low, high), = sql.query("SELECT min(tenant_id), max(tenant_id) FROM invoices").rows
    (own,), = sql.query("SELECT min(id) FROM invoices WHERE tenant_id = %s AND status = 'open'", (low,)).rows
    return low, high, own


# 1. Reads ----------------------------------------------------------------------------------
@pytest.mark.task(1)
@pytest.mark.points(3)
def test_each_tenant_sees_exactly_its_invoices(sql, db):
    """every tenant (one without invoices too) sees exactly its own invoices, even as the table's owner"""
    for (t,) in sql.query("SELECT id FROM tenants ORDER BY id").rows:
        got = db.expect_ok(tenant(t) + "SELECT id FROM invoices ORDER BY id",
                           explain="a tenant must be able to read its invoices")
        want = sql.query("SELECT id FROM invoices WHERE tenant_id = %s ORDER BY id", (t,))
        who = f"tenant {t}" if db.reveal else "a tenant"
        assert got.rows == want.rows, (
            f"{who} sees {len(got.rows)} invoices, but owns {len(want.rows)}: the application connects as the "
            "table's owner, which row-level security skips unless the table is FORCEd; and the policy must "
            "compare tenant_id with the session's app.tenant_id as an integer")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_a_session_without_tenant_sees_nothing(db):
    """a session that never set app.tenant_id sees no invoices, and gets no error"""
    got = db.expect_ok("SELECT count(*) FROM invoices",
                       explain="a session without app.tenant_id must see no rows rather than fail "
                               "(current_setting('app.tenant_id', true))")
    assert got.rows == [(0,)], "a session without app.tenant_id must see no invoices at all"


# 2. Writes ---------------------------------------------------------------------------------
@pytest.mark.task(2)
@pytest.mark.points(2)
def test_inserts_stay_in_the_tenant(sql, db):
    """a tenant inserts its own invoices, and cannot insert one for another tenant"""
    low, high, _ = pair(sql)
    db.expect_ok(tenant(low) + f"INSERT INTO invoices (tenant_id, customer, amount, status) "
                 f"VALUES ({low}, 'New Customer', 10.00, 'open')", explain="a tenant must insert its own invoices")
    db.expect_error(tenant(low) + f"INSERT INTO invoices (tenant_id, customer, amount, status) "
                    f"VALUES ({high}, 'Planted', 10.00, 'open')", DENIED,
                    explain="an invoice for another tenant must be refused by the policy's WITH CHECK")


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_rows_cannot_move_to_another_tenant(sql, db):
    """a tenant updates its invoice, but cannot hand it to another tenant"""
    low, high, own = pair(sql)
    got = db.expect_ok(tenant(low) + f"UPDATE invoices SET amount = amount + 1 WHERE id = {own} RETURNING id",
                       explain="a tenant must update its own invoices")
    assert len(got.rows) == 1, "a tenant's update of its own open invoice must change that one row"
    db.expect_error(tenant(low) + f"UPDATE invoices SET tenant_id = {high} WHERE id = {own}", DENIED,
                    explain="moving an invoice into another tenant must be refused: WITH CHECK judges the new row")


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_other_tenants_rows_are_out_of_reach(sql, db):
    """updates and deletes aimed at another tenant's invoices touch no row"""
    low, high, _ = pair(sql)
    for statement in (f"UPDATE invoices SET amount = 0 WHERE tenant_id = {high} RETURNING id",
                      f"DELETE FROM invoices WHERE tenant_id = {high} RETURNING id"):
        got = db.expect_ok(tenant(low) + statement, explain="a statement on rows a tenant cannot see changes nothing")
        assert got.rows == [], "a tenant changed another tenant's invoices: the policy's USING must hide them"


# 3. Archived invoices ----------------------------------------------------------------------
@pytest.mark.task(3)
@pytest.mark.points(2)
def test_archived_invoices_are_frozen(sql, db):
    """archived invoices cannot be updated or deleted, by their own tenant either"""
    low, _, _ = pair(sql)
    for statement in ("UPDATE invoices SET amount = amount + 1 WHERE status = 'archived' RETURNING id",
                      "DELETE FROM invoices WHERE status = 'archived' RETURNING id"):
        got = db.expect_ok(tenant(low) + statement, explain="a statement on archived invoices changes nothing")
        assert got.rows == [], ("a tenant changed its archived invoices: a restrictive policy must stop it "
                                "(a permissive one is OR-ed with the tenant policy and changes nothing)")


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_open_invoices_can_be_archived_and_deleted(sql, db):
    """a tenant archives an open invoice, and deletes another"""
    low, _, own = pair(sql)
    got = db.expect_ok(tenant(low) + f"UPDATE invoices SET status = 'archived' WHERE id = {own} RETURNING id",
                       explain="archiving an open invoice must work (give the restrictive UPDATE policy "
                               "its own WITH CHECK)")
    assert len(got.rows) == 1, "archiving one open invoice must change one row"
    got = db.expect_ok(tenant(low) + f"DELETE FROM invoices WHERE id = {own} RETURNING id",
                       explain="deleting an open invoice must work")
    assert len(got.rows) == 1, "deleting one open invoice must delete one row"
