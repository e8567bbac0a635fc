"""Hidden checks: an emptied setting, a tenant without invoices writing its first one, and a role
that does not own the table. What tenants own is read from the seeded database without the
policies (`sql`): the checks' own role owns the table, and FORCEd policies would filter its reads."""

import pytest

from grader.checks.roles import LabRole, RoleCopy

DENIED = "42501"


@pytest.fixture
def db(sql):
    return sql.applied("policies.sql")


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_an_emptied_setting_sees_nothing(db):
    """app.tenant_id set to '' (what RESET leaves behind) sees no invoices, and gets no error"""
    got = db.expect_ok("SET app.tenant_id = ''; SELECT count(*) FROM invoices",
                       explain="an empty app.tenant_id must see no rows rather than fail: nullif(…, '')")
    assert got.rows == [(0,)], "an empty app.tenant_id must see no invoices"


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_a_new_tenant_writes_its_first_invoice(sql, db):
    """a tenant without invoices inserts one and then sees exactly that one"""
    (empty,), = sql.query("SELECT min(id) FROM tenants t WHERE NOT EXISTS "
                         "(SELECT 1 FROM invoices i WHERE i.tenant_id = t.id)").rows
    got = db.expect_ok(f"SET app.tenant_id = '{empty}'; INSERT INTO invoices (tenant_id, customer, amount, status) "
                       f"VALUES ({empty}, 'First', 5.00, 'open'); SELECT count(*) FROM invoices",
                       explain="a tenant without invoices must be able to insert its first")
    assert got.rows == [(1,)], "after its first insert, a new tenant must see exactly one invoice"


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_a_role_that_does_not_own_the_table_is_isolated_too(sql):
    """a login role with table privileges, not the owner, sees only its tenant's invoices"""
    with RoleCopy(sql, "policies.sql", [LabRole("lab_webapp", login=True)]) as copy:
        role = copy.renamed["lab_webapp"]
        copy.checker.query(f'GRANT SELECT, INSERT, UPDATE, DELETE ON invoices TO "{role}"')
        (low,), = sql.query("SELECT min(tenant_id) FROM invoices").rows
        got = copy.as_role("lab_webapp").expect_ok(f"SET app.tenant_id = '{low}'; SELECT count(*) FROM invoices",
                                                   explain="another role must read its tenant's invoices")
        want = sql.query("SELECT count(*) FROM invoices WHERE tenant_id = %s", (low,))
        assert got.rows == want.rows, "a role that does not own the table must see exactly its tenant's invoices"
        copy.as_role("lab_webapp").expect_error(
            f"SET app.tenant_id = '{low}'; UPDATE invoices SET tenant_id = tenant_id + 1", DENIED,
            explain="another role must not move rows out of its tenant either")
