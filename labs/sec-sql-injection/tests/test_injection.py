"""Public checks for sec-sql-injection: legitimate awkward input first, then an injection battery
(quotes, tautologies, UNION, stacked queries, boolean and time-based blind, ORDER BY, numeric
context). Each attack is judged by its effect on the server: rows that should not have come back,
a secret in the body, a changed table, a statement that slept (seen in pg_stat_activity, not timed).
They run on the public data and again on a hidden variant."""

import pytest

from grader.apps import expect
from grader.attacks.statements import slept_during

SORTS = {"id": "id", "name": "name", "price": "price"}


def expected(db, q="", category=None, max_price=None, sort="id", order="asc"):
    """What a safe search answers, computed by the database with parameters."""
    where, params = ["strpos(lower(name), lower(%s)) > 0"], [q]
    if category is not None:
        where.append("category = %s")
        params.append(category)
    if max_price is not None:
        where.append("price <= %s::numeric")
        params.append(max_price)
    rows = db.rows(f"SELECT id, name, category, price::float FROM products WHERE {' AND '.join(where)} "
                   f"ORDER BY {SORTS[sort]} {order.upper()}, id", tuple(params))
    return [{"id": i, "name": n, "category": c, "price": p} for i, n, c, p in rows]


def search(http, **params):
    return http.get("/products", params=params)


def same_as_safe(http, db, response, why, **params):
    expect.status(response, 200, "any search text is just text: a 5xx means it reached the SQL parser", http.reveal)
    body = expect.json_body(response, http.reveal)
    want = expected(db, **params)
    ids = [row.get("id") for row in body] if isinstance(body, list) else body
    expect.equal(response, "the ids returned", ids, [row["id"] for row in want], http.reveal, why)


def no_secret(db, response, why):
    for (secret,) in db.rows("SELECT secret FROM api_keys"):
        if secret in response.text:
            raise AssertionError(f"{expect.sent(response)} returned a row of the api_keys table: {why}")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_awkward_but_legitimate_searches(http, db):
    """O'Brien, 100%, tea_towel, "--": plain text, case-insensitive; % and _ are not wildcards"""
    for q in ["O'Brien", "o'brien", "100%", "tea_towel", "--", "", "Kettle"]:
        same_as_safe(http, db, search(http, q=q), "the search is a case-insensitive substring of the name; "
                     "an apostrophe, % and _ are ordinary characters", q=q)


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_filters_and_sorting(http, db):
    """category, max_price, sort=name|price|id and order=asc|desc (ties broken by id)"""
    cases = [{"category": "garden"}, {"max_price": "40"}, {"max_price": "19.99", "category": "kitchen"},
             {"sort": "price", "order": "desc"}, {"sort": "price"}, {"sort": "name"}, {"sort": "id", "order": "desc"}]
    for params in cases:
        same_as_safe(http, db, search(http, **params), "filter in SQL, sort by the chosen column, ties by id",
                     **params)


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_invalid_sort_and_price_are_400(http):
    """a sort column, direction or price outside the whitelist is 400 (never a 500)"""
    for params in [{"sort": "secret"}, {"sort": "price desc"}, {"order": "sideways"}, {"max_price": "cheap"},
                   {"max_price": "1e9"}]:
        response = search(http, **params)
        expect.status(response, (400, 422), "refuse what is not on the whitelist, before it reaches SQL",
                      http.reveal)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_quotes_and_tautologies(http, db):
    """attack: a stray quote and `' OR '1'='1` — plain text, no error, no extra rows"""
    for q in ["'", "\\'", "' OR '1'='1", "%' OR 1=1 --", "x' OR 'a'='a"]:
        same_as_safe(http, db, search(http, q=q), "the text closed your string literal and rewrote the WHERE "
                     "clause; send values as parameters, never inside the SQL text", q=q)
    for category in ["' OR '1'='1", "garden' --"]:
        same_as_safe(http, db, search(http, category=category), "the category closed your string literal; "
                     "send it as a parameter", category=category)


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_union_reads_no_other_table(http, db):
    """attack: UNION SELECT from another table (api_keys) through the search and the category"""
    payloads = {"q": "%' UNION SELECT id, secret, secret, 0 FROM api_keys --",
                "category": "x' UNION SELECT id, secret, secret, 0 FROM api_keys --"}
    for field, payload in payloads.items():
        response = search(http, **{field: payload})
        no_secret(db, response, "a UNION appended a query of the attacker's choosing, and every table the app's "
                  "role can read is readable. Parameters keep the text a value")
        same_as_safe(http, db, response, "the text must be searched for, not run", **{field: payload})


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_stacked_queries_change_nothing(http, db):
    """attack: `'; UPDATE …; --` — a second statement stacked after the search"""
    before = db.rows("SELECT id, name, category, price FROM products ORDER BY id")
    first = before[0][0]
    payload = f"'; UPDATE products SET price = price + 1000 WHERE id = {first}; --"
    response = search(http, q=payload)
    if db.rows("SELECT id, name, category, price FROM products ORDER BY id") != before:
        raise AssertionError("a search ran a second, stacked statement that changed the products table: whoever "
                             "can search can write to (or drop) your tables. Send values as parameters")
    same_as_safe(http, db, response, "the text must be searched for, not run", q=payload)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_boolean_blind(http, db):
    """attack: boolean blind — a true and a false condition about api_keys must give the same answer"""
    true = "%' AND (SELECT count(*) FROM api_keys) > 0 AND '%'='"
    false = "%' AND (SELECT count(*) FROM api_keys) < 0 AND '%'='"
    answers = [search(http, q=q) for q in (true, false)]
    for q, response in zip((true, false), answers, strict=True):
        same_as_safe(http, db, response, "the answer changed with a condition the attacker wrote: one yes/no "
                     "question per request is enough to read any table, letter by letter", q=q)


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_time_based_blind(http, db):
    """attack: time-based blind — pg_sleep injected through q, category, max_price, sort and order"""
    payloads = [{"q": "%' AND (SELECT 1 FROM pg_sleep(1.5)) = 1 AND '%'='"},
                {"category": "x' OR (SELECT 1 FROM pg_sleep(1.5)) = 1 --"},
                {"max_price": "(SELECT 1000 FROM pg_sleep(1.5))"},
                {"sort": "price, (SELECT 1 FROM pg_sleep(1.5))"},
                {"sort": "price", "order": "desc, (SELECT 1 FROM pg_sleep(1.5))"}]
    for params in payloads:
        response, slept = slept_during(db.admin_url, db.name, lambda p=params: search(http, **p))
        if slept:
            field = ", ".join(params)
            raise AssertionError(f"GET /products with an injected pg_sleep in `{field}`: the database slept — "
                                 "PostgreSQL ran the attacker's SQL. Even with no visible output, the delay "
                                 "answers yes/no questions about your data. Parameters for values; a whitelist "
                                 "for the sort column and direction")
        expect.client_error(response, "refuse or search, but never run the text", http.reveal)


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_order_by_injection(http, db):
    """attack: ORDER BY injection — an expression or a subquery in sort/order is refused, not run"""
    payloads = [{"sort": "(CASE WHEN (SELECT count(*) FROM api_keys) > 0 THEN name ELSE category END)"},
                {"sort": "price, (SELECT secret FROM api_keys LIMIT 1)"},
                {"sort": "name", "order": "asc, (SELECT 1/0)"},
                {"sort": "price;DELETE FROM products"}]
    count = db.scalar("SELECT count(*) FROM products")
    for params in payloads:
        response = search(http, **params)
        no_secret(db, response, "the sort parameter was pasted into ORDER BY")
        expect.status(response, (400, 422), "a column name cannot be a parameter, so the sort must come from a "
                      "whitelist of exact names; anything else is refused", http.reveal)
    assert db.scalar("SELECT count(*) FROM products") == count, "a sort parameter deleted products"


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_numeric_context_injection(http, db):
    """attack: injection where no quote is needed — max_price=0 UNION SELECT …, 1 OR 1=1"""
    for payload in ["0 UNION SELECT id, secret, secret, 0 FROM api_keys", "1 OR 1=1", "1 --"]:
        response = search(http, max_price=payload)
        no_secret(db, response, "max_price was pasted into the SQL as a number: escaping quotes does not help where "
                  "the value was never inside quotes")
        expect.status(response, (400, 422), "max_price is not a number", http.reveal)
