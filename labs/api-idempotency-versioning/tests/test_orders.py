"""Public checks for api-idempotency-versioning: retries and 20 concurrent duplicates make one
order, v1 clients keep working beside v2, and a lost update is refused with 412."""

import pytest

from grader.apps import expect
from grader.apps.gate import Request, send_through_gate

V1 = {"type": "object", "required": ["id", "book_id", "quantity", "total"],
      "properties": {"id": {"type": "integer"}, "book_id": {"type": "integer"}, "quantity": {"type": "integer"},
                     "total": {"type": "string", "pattern": "^[0-9]+\\.[0-9]{2}$"}}}
V2 = {"type": "object", "required": ["id", "book_id", "quantity", "total"],
      "properties": {"id": {"type": "integer"}, "book_id": {"type": "integer"}, "quantity": {"type": "integer"},
                     "total": {"type": "object", "required": ["amount", "currency"],
                               "properties": {"amount": {"type": "string", "pattern": "^[0-9]+\\.[0-9]{2}$"},
                                              "currency": {"const": "EUR"}}}}}


def a_book(db, n):
    return db.scalar("SELECT id FROM public.books ORDER BY id OFFSET %s LIMIT 1", (n,))


def total(db, order_id):
    value = db.scalar("SELECT b.price * o.quantity FROM public.orders o "
                      "JOIN public.books b ON b.id = o.book_id WHERE o.id = %s", (order_id,))
    return f"{value:.2f}"


def orders(db):
    return db.scalar("SELECT count(*) FROM public.orders")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_a_retry_replays_the_first_answer(http, db, seed):
    """the same POST with the same Idempotency-Key three times (the last with its JSON members in another order):
    one order, the same 201 answer each time"""
    before = orders(db)
    headers = {"Idempotency-Key": f"retry-{seed}-1"}
    order = {"book_id": a_book(db, 2), "quantity": 2}
    first = http.post("/v1/orders", json=order, headers=headers)
    expect.created(first, "/v1/orders", http.reveal)
    second = http.post("/v1/orders", json=order, headers=headers)
    expect.status(second, 201, "a retry gets the first answer again, status included", http.reveal)
    expect.equal(second, "the replayed body", expect.json_body(second, http.reveal),
                 expect.json_body(first, http.reveal), http.reveal, "a retry must not create another order")
    expect.equal(second, "the replayed Location", second.headers.get("Location"), first.headers.get("Location"),
                 http.reveal)
    # a client library may serialise the object again, its members in another order: still the same request
    third = http.post("/v1/orders", json=dict(reversed(order.items())), headers=headers)
    expect.status(third, 201, "a retry whose JSON lists the same members in another order is the same request "
                  "(compare the parsed body, not its bytes)", http.reveal)
    expect.equal(third, "the replayed body", expect.json_body(third, http.reveal),
                 expect.json_body(first, http.reveal), http.reveal, "a retry must not create another order")
    assert orders(db) == before + 1, f"three POSTs with one Idempotency-Key made {orders(db) - before} orders"


@pytest.mark.task(1)
@pytest.mark.points(3)
def test_concurrent_duplicates_make_one_order(http, db, seed):
    """20 identical POSTs with one Idempotency-Key at the same moment: one order, 20 identical answers"""
    before = orders(db)
    order = {"book_id": a_book(db, 3), "quantity": 1}
    request = Request("POST", "/v1/orders", {"json": order, "headers": {"Idempotency-Key": f"burst-{seed}"}})
    responses = send_through_gate(http, db, [request] * 20, "LOCK TABLE public.orders IN EXCLUSIVE MODE")
    for response in responses:
        expect.status(response, 201, "every duplicate gets the answer of the one that created the order",
                      http.reveal)
    ids = {expect.json_body(r, http.reveal).get("id") for r in responses}
    made = orders(db) - before
    assert made == 1, (f"20 concurrent POSTs with one Idempotency-Key made {made} orders; claim the key "
                       "(a unique row) before you create the order, in one transaction")
    assert len(ids) == 1, f"the 20 answers name {len(ids)} different order ids; they must all name the one order"


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_key_rules(http, db, seed):
    """no Idempotency-Key is 400; a key reused for another body is 422, and makes nothing"""
    order = {"book_id": a_book(db, 4), "quantity": 1}
    before = orders(db)
    expect.status(http.post("/v1/orders", json=order), 400, "an order needs an Idempotency-Key", http.reveal)
    key = {"Idempotency-Key": f"reuse-{seed}"}
    expect.created(http.post("/v1/orders", json=order, headers=key), "/v1/orders", http.reveal)
    expect.status(http.post("/v1/orders", json={**order, "quantity": 3}, headers=key), 422,
                  "the key was used for another request", http.reveal)
    assert orders(db) == before + 1, "only the first order with the key may be created"


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_key_length_is_bounded(http, db, seed):
    """an empty Idempotency-Key or one longer than 200 characters is 400 and makes nothing; 1 and 200 are
    accepted (the one-character key with the edges of a valid order: the first book, quantity 100)"""
    order = {"book_id": a_book(db, 5), "quantity": 1}
    longest = f"max-{seed}-".ljust(200, "k")
    before = orders(db)
    for what, key in (("an empty Idempotency-Key", ""), ("an Idempotency-Key of 201 characters", longest + "k")):
        expect.status(http.post("/v1/orders", json=order, headers={"Idempotency-Key": key}), 400,
                      f"{what}: a key is 1 to 200 characters (it is stored with the order, so its length "
                      "is bounded)", http.reveal)
    assert orders(db) == before, "an order was made with a key outside 1 to 200 characters"
    expect.created(http.post("/v1/orders", json=order, headers={"Idempotency-Key": longest}), "/v1/orders",
                   http.reveal)
    # the edges of a valid order too: the first book by id, a quantity of 100
    edge = {"book_id": a_book(db, 0), "quantity": 100}
    expect.created(http.post("/v1/orders", json=edge, headers={"Idempotency-Key": str(seed % 10)}), "/v1/orders",
                   http.reveal)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_v1_and_v2_side_by_side(http, db):
    """an order reads as v1 (total a string) and as v2 (total an object with amount and currency)"""
    order_id = db.scalar("SELECT max(id) FROM public.orders WHERE version > 1")
    old = http.get(f"/v1/orders/{order_id}")
    expect.status(old, 200, "v1 clients still read orders", http.reveal)
    body = expect.json_body(old, http.reveal)
    expect.schema(old, body, V1, http.reveal)
    expect.equal(old, "v1 `total`", body["total"], total(db, order_id), http.reveal, "price × quantity")
    new = http.get(f"/v2/orders/{order_id}")
    expect.status(new, 200, reveal=http.reveal)
    body = expect.json_body(new, http.reveal)
    expect.schema(new, body, V2, http.reveal)
    expect.equal(new, "v2 `total.amount`", body["total"]["amount"], total(db, order_id), http.reveal)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_orders_cross_versions(http, db, seed):
    """an order placed through v2 reads through v1, and one placed through v1 through v2"""
    placed = http.post("/v2/orders", json={"book_id": a_book(db, 5), "quantity": 3},
                       headers={"Idempotency-Key": f"v2-{seed}"})
    expect.created(placed, "/v2/orders", http.reveal)
    body = expect.json_body(placed, http.reveal)
    expect.schema(placed, body, V2, http.reveal)
    read = http.get(f"/v1/orders/{body['id']}")
    expect.status(read, 200, "an order placed through v2 exists for v1 clients too", http.reveal)
    expect.schema(read, expect.json_body(read, http.reveal), V1, http.reveal)
    old = http.post("/v1/orders", json={"book_id": a_book(db, 6), "quantity": 1},
                    headers={"Idempotency-Key": f"v1-{seed}"})
    expect.schema(old, expect.json_body(old, http.reveal), V1, http.reveal)
    read = http.get(f"/v2/orders/{expect.json_body(old, http.reveal)['id']}")
    expect.status(read, 200, reveal=http.reveal)
    expect.schema(read, expect.json_body(read, http.reveal), V2, http.reveal)


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_if_match_refuses_a_lost_update(http, db):
    """two clients read one ETag; the first PATCH wins (200, a new ETag), the second gets 412; the new ETag
    then works; quantities 100 and 1 are valid"""
    order_id = db.scalar("SELECT min(id) FROM public.orders")
    read = http.get(f"/v2/orders/{order_id}")
    tag = expect.header(read, "ETag", "GET returns the version the client read, as an ETag")
    first = http.patch(f"/v2/orders/{order_id}", json={"quantity": 100}, headers={"If-Match": tag})
    expect.status(first, 200, "If-Match names the current version", http.reveal)
    new_tag = expect.header(first, "ETag", "the changed order has a new version")
    assert new_tag != tag, f"PATCH /v2/orders/{order_id}: the ETag must change when the order changes"
    second = http.patch(f"/v2/orders/{order_id}", json={"quantity": 9}, headers={"If-Match": tag})
    expect.status(second, 412, "the order changed since this client read it", http.reveal)
    stored = db.scalar("SELECT quantity FROM public.orders WHERE id = %s", (order_id,))
    expect.equal(second, "the stored quantity", stored,
                 100, http.reveal, "the first change must survive")
    expect.status(http.patch(f"/v2/orders/{order_id}", json={"quantity": 1}, headers={"If-Match": new_tag}), 200,
                  "If-Match names the current version (and 1 is a valid quantity)", http.reveal)
    expect.status(http.patch(f"/v2/orders/{order_id}", json={"quantity": 2}), 428,
                  "a PATCH without If-Match could overwrite a change unseen", http.reveal)


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_concurrent_patches_one_winner(http, db):
    """10 PATCHes with the same ETag at the same moment: exactly one 200, nine 412"""
    order_id = db.scalar("SELECT max(id) FROM public.orders WHERE version = 1")
    tag = expect.header(http.get(f"/v2/orders/{order_id}"), "ETag")
    requests = [Request("PATCH", f"/v2/orders/{order_id}", {"json": {"quantity": 10 + n}, "headers": {"If-Match": tag}})
                for n in range(10)]
    lock = f"SELECT 1 FROM public.orders WHERE id = {int(order_id)} FOR UPDATE"
    responses = send_through_gate(http, db, requests, lock)
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [412] * 9, (
        f"10 concurrent PATCHes with one ETag answered {codes}; exactly one may win. Compare the version and "
        "change it in one statement (UPDATE … WHERE id = … AND version = …)")
    winner = next(r for r in responses if r.status_code == 200)
    stored = db.scalar("SELECT quantity FROM public.orders WHERE id = %s", (order_id,))
    expect.equal(winner, "the stored quantity", stored,
                 expect.json_body(winner, http.reveal).get("quantity"), http.reveal, "the winner's change is stored")
