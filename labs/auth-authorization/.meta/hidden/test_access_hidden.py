"""Hidden checks: a customer enumerating every order id sees exactly their own."""

import pytest

from grader.apps import expect


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_enumerating_ids_finds_only_your_own(http, dataset, variant, db):
    """walking every order id as one customer finds that customer's orders and nothing else"""
    data = dataset.content(variant)
    customer = next(u for u in data.users if u.role == "customer")
    token = next(t for t, user_id, expired in data.sessions if user_id == customer.id and not expired)
    found = []
    for (order_id,) in db.rows("SELECT id FROM orders ORDER BY id"):
        response = http.get(f"/orders/{order_id}", headers={"Authorization": f"Bearer {token}"})
        if response.status_code == 200:
            found.append(order_id)
        else:
            expect.status(response, 404, "an order this customer may not see", reveal=False)
    own = [row[0] for row in db.rows("SELECT id FROM orders WHERE user_id = %s ORDER BY id", (customer.id,))]
    assert found == own, "walking the order ids as one customer found orders that are not theirs (IDOR)"
