"""Public checks for auth-authorization: the grader signs in as several real users (customers,
support, the admin — their session tokens are in the sessions table) and tries what each must not
do, then looks in the database for the effect. They run on the public data and again on a hidden
variant (other users, ids and tokens)."""

import pytest

from grader.apps import expect

ORDER_FIELDS = ["id", "user_id", "item", "total", "status"]


class People:
    """The variant's users and their bearer tokens, by role."""

    def __init__(self, dataset, variant):
        data = dataset.content(variant)
        self.users = data.users
        self.tokens = {user_id: token for token, user_id, expired in data.sessions if not expired}
        self.expired = next(token for token, _, expired in data.sessions if expired)
        self.customers = [u for u in data.users if u.role == "customer"]
        self.support = next(u for u in data.users if u.role == "support")
        self.admin = next(u for u in data.users if u.role == "admin")

    def auth(self, user):
        return {"Authorization": f"Bearer {self.tokens[user.id]}"}


@pytest.fixture
def people(dataset, variant):
    return People(dataset, variant)


def orders_of(db, user_id, status=None):
    query = "SELECT id FROM orders WHERE user_id = %s" + (" AND status = %s" if status else "") + " ORDER BY id"
    return [row[0] for row in db.rows(query, (user_id, status) if status else (user_id,))]


def order_row(db, order_id):
    return db.rows("SELECT id, user_id, item, total, status FROM orders WHERE id = %s", (order_id,))


def missing_id(db):
    return db.scalar("SELECT max(id) FROM orders") + 997


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_every_route_requires_authentication(http, people, db):
    """no token, an unknown token, an expired session, a non-Bearer scheme: 401 with WWW-Authenticate, everywhere"""
    some_order = orders_of(db, people.customers[0].id)[0]
    routes = [("GET", "/orders"), ("GET", f"/orders/{some_order}"), ("PATCH", f"/orders/{some_order}"),
              ("DELETE", f"/orders/{some_order}"), ("GET", "/admin/users"), ("PATCH", "/me")]
    credentials = {"no token": {}, "an unknown token": {"Authorization": "Bearer " + "0" * 48},
                   "an expired session": {"Authorization": f"Bearer {people.expired}"},
                   "another scheme": {"Authorization": f"Basic {people.tokens[people.admin.id]}"}}
    for what, headers in credentials.items():
        for method, path in routes:
            response = http.request(method, path, headers=headers, json={"status": "cancelled"})
            expect.status(response, 401, f"{what}: not authenticated", http.reveal)
            expect.header(response, "WWW-Authenticate", "a 401 says how to authenticate: WWW-Authenticate: Bearer")
    assert order_row(db, some_order), "an unauthenticated DELETE removed an order"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_customers_list_only_their_orders(http, people, db):
    """GET /orders lists the caller's own orders only (a customer with none gets [])"""
    for user in (people.customers[0], people.customers[1], people.customers[-1]):
        response = http.get("/orders", headers=people.auth(user))
        expect.status(response, 200, reveal=http.reveal)
        body = expect.json_body(response, http.reveal)
        ids = [order.get("id") for order in body] if isinstance(body, list) else body
        expect.equal(response, "the order ids listed", ids, orders_of(db, user.id), http.reveal,
                     "a customer sees their own orders, ordered by id, and nobody else's")


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_idor_reading_another_users_order(http, people, db):
    """IDOR: customer A asks for each of B's orders by id — 404, exactly like an order that does not exist"""
    a, b = people.customers[0], people.customers[1]
    absent = http.get(f"/orders/{missing_id(db)}", headers=people.auth(a))
    expect.status(absent, 404, "no order has this id", http.reveal)
    for order_id in orders_of(db, b.id):
        response = http.get(f"/orders/{order_id}", headers=people.auth(a))
        if response.status_code == 200:
            raise AssertionError(
                f"GET /orders/{order_id if http.reveal else '<id>'} as another customer returned the order: an "
                "insecure direct object reference (IDOR). Ids are guessable; every lookup by id must also check "
                "that the caller may see that object")
        expect.status(response, 404, "another customer's order must look exactly like one that does not exist",
                      http.reveal)
        assert response.content == absent.content, (
            "another customer's order is 404, but its body differs from the 404 of an id that does not exist: the "
            "difference tells an attacker which ids exist. Answer both with the same body")


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_idor_changing_another_users_order(http, people, db):
    """IDOR: customer A cancels and deletes B's orders — 404, and the database is unchanged"""
    a, b = people.customers[2], people.customers[3]
    for order_id in orders_of(db, b.id, "pending")[:2]:
        before = order_row(db, order_id)
        for response in (http.patch(f"/orders/{order_id}", headers=people.auth(a), json={"status": "cancelled"}),
                         http.delete(f"/orders/{order_id}", headers=people.auth(a))):
            after = order_row(db, order_id)
            if after != before:
                raise AssertionError(f"{expect.sent(response)} by another customer changed the order in the "
                                     "database: check the owner before writing, not only before reading")
            expect.status(response, 404, "another customer's order does not exist for this caller", http.reveal)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_owners_cancel_their_own_orders(http, people, db):
    """the owner cancels their own pending order (200, status cancelled in the database); cancelling it again or
    a shipped order is 409; an unknown id (or one beyond the integer range) is 404"""
    owner = people.customers[4]
    order_id = orders_of(db, owner.id, "pending")[0]
    response = http.patch(f"/orders/{order_id}", headers=people.auth(owner), json={"status": "cancelled"})
    expect.status(response, 200, "the owner may cancel their pending order", http.reveal)
    assert db.scalar("SELECT status FROM orders WHERE id = %s", (order_id,)) == "cancelled", (
        "PATCH answered 200 but the order is not cancelled in the database")
    again = http.patch(f"/orders/{order_id}", headers=people.auth(owner), json={"status": "cancelled"})
    expect.status(again, 409, "only a pending order can be cancelled: this one is cancelled already", http.reveal)
    shipper, shipped = next((c, orders_of(db, c.id, "shipped")[0]) for c in people.customers
                            if orders_of(db, c.id, "shipped"))  # the dataset has shipped orders (test_dataset_edges)
    before = order_row(db, shipped)
    response = http.patch(f"/orders/{shipped}", headers=people.auth(shipper), json={"status": "cancelled"})
    expect.status(response, 409, "only a pending order can be cancelled: this one has shipped", http.reveal)
    assert order_row(db, shipped) == before, "a refused cancel changed the order"
    for path in (f"/orders/{missing_id(db)}", "/orders/abc", "/orders/99999999999", f"/orders/{2 ** 31}"):
        expect.status(http.get(path, headers=people.auth(owner)), 404, "no such order", http.reveal)


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_support_reads_everything_but_changes_nothing(http, people, db):
    """least privilege: support reads any order (200) but may not cancel or delete one (403, nothing changed)"""
    order_id = orders_of(db, people.customers[1].id, "pending")[-1]
    before = order_row(db, order_id)
    read = http.get(f"/orders/{order_id}", headers=people.auth(people.support))
    expect.status(read, 200, "support may read every order", http.reveal)
    expect.fields(read, expect.json_body(read, http.reveal), ORDER_FIELDS)
    listed = http.get("/orders", headers=people.auth(people.support))
    expect.status(listed, 200, reveal=http.reveal)
    expect.equal(listed, "the number of orders support sees", len(expect.json_body(listed, http.reveal)),
                 db.scalar("SELECT count(*) FROM orders"), http.reveal, "support sees every order")
    for response in (http.patch(f"/orders/{order_id}", headers=people.auth(people.support),
                                json={"status": "cancelled"}),
                     http.delete(f"/orders/{order_id}", headers=people.auth(people.support))):
        if order_row(db, order_id) != before:
            raise AssertionError(f"{expect.sent(response)} by support changed the order: support's role is read-only")
        expect.status(response, 403, "support may see this order (so 404 would be a lie) but not change it",
                      http.reveal)


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_admin_only_routes(http, people, db):
    """GET /admin/users: 403 for customers and support (whatever they claim), 200 for the admin, no hashes"""
    forged_claims = {"X-Role": "admin", "X-User-Role": "admin"}
    for user in (people.customers[0], people.support):
        for extra, query in (({}, ""), (forged_claims, "?role=admin&admin=true")):
            response = http.get("/admin/users" + query, headers={**people.auth(user), **extra})
            expect.status(response, 403, "authenticated, but this role may not use the route" +
                          (" — a role the client claims in a header or the query is not a role" if extra else ""),
                          http.reveal)
    response = http.get("/admin/users", headers=people.auth(people.admin))
    expect.status(response, 200, "the admin may list users", http.reveal)
    assert "password" not in response.text and "$argon2" not in response.text, (
        "GET /admin/users returns password hashes: even an admin never needs them; choose the columns you send")


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_only_the_admin_deletes(http, people, db):
    """DELETE /orders/{id}: the owner gets 403 (they know it exists), the admin 204 and the row is gone"""
    owner = people.customers[5 % len(people.customers)]
    order_id = orders_of(db, owner.id)[-1]
    refused = http.delete(f"/orders/{order_id}", headers=people.auth(owner))
    assert order_row(db, order_id), "a customer deleted an order: deleting is the admin's right only"
    expect.status(refused, 403, "the owner may see this order but not delete it", http.reveal)
    deleted = http.delete(f"/orders/{order_id}", headers=people.auth(people.admin))
    expect.status(deleted, 204, "the admin deletes", http.reveal)
    assert not order_row(db, order_id), "DELETE answered 204 but the order is still in the database"


@pytest.mark.task(4)
@pytest.mark.points(3)
def test_no_mass_assignment(http, people, db):
    """PATCH /me changes display_name only: role, balance and id in the body are ignored; an empty name or one
    over 100 characters is 422, 100 characters are fine"""
    user = people.customers[1]
    before = db.rows("SELECT role, balance FROM users WHERE id = %s", (user.id,))
    response = http.patch("/me", headers=people.auth(user),
                          json={"display_name": "Renamed Customer", "role": "admin", "balance": 999999,
                                "id": people.admin.id})
    after = db.rows("SELECT role, balance FROM users WHERE id = %s", (user.id,))
    if after != before:
        raise AssertionError("PATCH /me wrote the role or the balance the client sent (mass assignment): a customer "
                             "made themselves admin. Copy only the fields a user may change, by name")
    expect.status(response, 200, "the display name may change", http.reveal)
    assert db.scalar("SELECT display_name FROM users WHERE id = %s", (user.id,)) == "Renamed Customer", (
        "PATCH /me did not store the new display_name")
    assert db.scalar("SELECT role FROM users WHERE id = %s", (people.admin.id,)) == "admin", "the admin was changed"
    expect.status(http.get("/admin/users", headers=people.auth(user)), 403, "still a customer", http.reveal)
    for name, status, why in (("", 422, "an empty name"), ("N" * 101, 422, "a name over 100 characters"),
                              ("N" * 100, 200, "a name of exactly 100 characters")):
        expect.status(http.patch("/me", headers=people.auth(user), json={"display_name": name}), status, why,
                      http.reveal)
