"""Public checks for pg-roles-privileges: your roles.sql runs on a fresh copy of the shop database
with the roles lab_reporting, lab_analyst and lab_app present; then the checks log in as each role and
try what it must be able to do and what must be refused (SQLSTATE 42501 insufficient_privilege).
Every statement runs in a transaction that is rolled back."""

import pytest

from grader.checks.roles import LabRole, RoleCopy

ROLES = [LabRole("lab_reporting", login=False), LabRole("lab_analyst", login=True), LabRole("lab_app", login=True)]
DENIED = "42501"


@pytest.fixture
def shop(sql):
    """A fresh copy of the database after your roles.sql, with per-copy roles to log in as."""
    with RoleCopy(sql, "roles.sql", ROLES) as copy:
        yield copy


def _count(shop, table):
    return shop.checker.query(f"SELECT count(*) FROM {table}").rows


# 1. The reporting group and the analyst ----------------------------------------------------
@pytest.mark.task(1)
@pytest.mark.points(2)
def test_analyst_reads_orders_and_the_allowed_customer_columns(shop):
    """lab_analyst reads shop.orders and customers' id, name, city"""
    analyst = shop.as_role("lab_analyst")
    got = analyst.expect_ok("SELECT count(*) FROM shop.orders",
                            explain="lab_analyst must read shop.orders (through lab_reporting)")
    assert got.rows == _count(shop, "shop.orders"), "lab_analyst must see every order"
    got = analyst.expect_ok("SELECT count(*) FROM (SELECT id, name, city FROM shop.customers) AS c",
                            explain="lab_analyst must read id, name and city of shop.customers")
    assert got.rows == _count(shop, "shop.customers"), "lab_analyst must see every customer"


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_analyst_cannot_read_emails_or_write(shop):
    """lab_analyst cannot read customers' email, the audit log, or change anything"""
    analyst = shop.as_role("lab_analyst")
    analyst.expect_error("SELECT email FROM shop.customers", DENIED,
                         explain="emails are personal data: grant SELECT on (id, name, city) only")
    analyst.expect_error("SELECT * FROM shop.customers", DENIED,
                         explain="SELECT * includes email, which lab_reporting must not read")
    analyst.expect_error("SELECT count(*) FROM shop.audit_log", DENIED,
                         explain="the audit log is not for reporting")
    analyst.expect_error("UPDATE shop.orders SET status = 'paid'", DENIED,
                         explain="reporting is read-only: no UPDATE")
    analyst.expect_error("INSERT INTO shop.orders (customer_id, status, total) VALUES (1, 'paid', 1)", DENIED,
                         explain="reporting is read-only: no INSERT")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_privileges_belong_to_the_group(shop):
    """a new member of lab_reporting reads orders at once: the privileges are the group's"""
    newcomer = shop.new_member("lab_reporting", "lab_newcomer")
    got = newcomer.expect_ok("SELECT count(*) FROM shop.orders",
                             explain="a new member of lab_reporting must read shop.orders: grant to the group, "
                                     "not to lab_analyst")
    assert got.rows == _count(shop, "shop.orders"), "a new member of lab_reporting must see every order"


# 2. The application role -------------------------------------------------------------------
@pytest.mark.task(2)
@pytest.mark.points(3)
def test_app_does_its_work(shop):
    """lab_app places an order (id from the sequence), updates it, writes the audit log, reads customers"""
    app = shop.as_role("lab_app")
    placed = app.expect_ok("INSERT INTO shop.orders (customer_id, status, total) "
                           "SELECT min(id), 'pending', 12.50 FROM shop.customers RETURNING id",
                           explain="lab_app must insert an order without giving an id (the sequence gives it)")
    assert len(placed.rows) == 1, "the insert must return the new order's id"
    app.expect_ok("UPDATE shop.orders SET status = 'shipped' WHERE id = (SELECT min(id) FROM shop.orders)",
                  explain="lab_app must update orders")
    app.expect_ok("INSERT INTO shop.audit_log (message) VALUES ('order shipped')",
                  explain="lab_app must append to the audit log without giving an id")
    app.expect_ok("SELECT id, name, email, city FROM shop.customers",
                  explain="lab_app must read customers, email included (it sends the receipts)")


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_app_cannot_do_more(shop):
    """lab_app cannot delete or truncate orders, read the audit log, change customers or create tables"""
    app = shop.as_role("lab_app")
    app.expect_error("DELETE FROM shop.orders", DENIED, explain="lab_app must not delete orders")
    app.expect_error("TRUNCATE shop.orders", DENIED, explain="lab_app must not truncate orders")
    app.expect_error("SELECT count(*) FROM shop.audit_log", DENIED,
                     explain="the audit log is append-only for lab_app: INSERT, not SELECT")
    app.expect_error("UPDATE shop.customers SET city = 'Oslo'", DENIED, explain="lab_app only reads customers")
    app.expect_error("CREATE TABLE shop.scratch (id integer)", DENIED,
                     explain="lab_app needs USAGE on the schema, not CREATE")


# 3. Default privileges ---------------------------------------------------------------------
@pytest.mark.task(3)
@pytest.mark.points(3)
def test_tables_created_later_are_readable_by_reporting_only(shop):
    """a table the owner creates in shop later is readable by lab_reporting members, not by lab_app"""
    shop.checker.expect_ok("CREATE TABLE shop.refunds (id serial PRIMARY KEY, order_id bigint NOT NULL, "
                           "amount numeric(10, 2) NOT NULL); "
                           "INSERT INTO shop.refunds (order_id, amount) SELECT id, total FROM shop.orders LIMIT 3",
                           explain="the owner creates a new table after your script", commit=True)
    got = shop.as_role("lab_analyst").expect_ok(
        "SELECT count(*) FROM shop.refunds",
        explain="a table created in shop after your script must be readable by lab_reporting: "
                "ALTER DEFAULT PRIVILEGES")
    assert got.rows == [(3,)], "lab_analyst must see the rows of the new table"
    shop.as_role("lab_app").expect_error("SELECT count(*) FROM shop.refunds", DENIED,
                                         explain="default privileges are for lab_reporting only")
