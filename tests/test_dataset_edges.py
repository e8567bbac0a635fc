"""Every dataset carries, in BOTH variants, the edge cases its labs' READMEs promise.

Without a row on the boundary, a tie on the sort key or a missing optional field, a plausible
wrong answer gives the same result as the right one and is accepted. These tests read the
generators' own output (no server needed) and fail when a change to a generator loses an edge.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import pytest

from grader import datasets
from tests.conftest import ROOT

VARIANTS = ("public", "hidden")


def load(name: str) -> Any:
    return datasets.load(name, ROOT)


# shop: sql-select-filter, sql-joins, sql-aggregates, sql-subqueries, sql-window, sql-cte-recursive ----------

@pytest.mark.parametrize("which", VARIANTS)
def test_shop_names_mixed_case_and_namesakes(which: str) -> None:
    shop = load("shop").generate(which)
    names = [c[1] for c in shop.customers]
    assert any(n[0].islower() for n in names), "a name starting in lower case (plain vs case-blind order)"
    only_upper = [n for n in names if "ra" not in n and "ra" in n.lower()]
    assert only_upper, "a name that contains 'ra' only in upper case (LIKE vs ILIKE)"
    by_city = Counter((c[3], c[1]) for c in shop.customers if c[3] is not None)
    assert max(by_city.values()) >= 2, "namesakes in one city (customer_id breaks the tie)"
    assert any(c[3] is None for c in shop.customers), "customers without a city"


@pytest.mark.parametrize("which", VARIANTS)
def test_shop_order_boundaries(which: str) -> None:
    shop = load("shop").generate(which)
    times = {o[2] for o in shop.orders if o[3] != "cancelled"}
    for moment in (dt.datetime(2024, 3, 1), dt.datetime(2024, 4, 1), dt.datetime(2024, 3, 31, 23, 59, 59)):
        assert moment in times, f"a non-cancelled order exactly at {moment}"
    assert any(o[2].year == 2025 and o[2].month == 3 for o in shop.orders), "March of a second year"
    assert any(o[2].month == 3 and o[2].year == 2024 and o[3] == "cancelled" for o in shop.orders)
    latest = sorted(shop.orders, key=lambda o: (o[2], o[0]), reverse=True)
    assert latest[9][2] == latest[10][2], "the cut of the latest 10 orders falls inside a tie on ordered_at"
    completed = Counter(o[2] for o in shop.orders if o[3] == "completed")
    assert max(completed.values()) >= 2, "completed orders tied on ordered_at (running totals)"
    assert any(o[1] is None for o in shop.orders), "guest orders"


@pytest.mark.parametrize("which", VARIANTS)
def test_shop_counts_and_totals_on_boundaries(which: str) -> None:
    shop = load("shop").generate(which)
    per_customer = Counter(o[1] for o in shop.orders if o[1] is not None)
    at_least_six = Counter(n for n in per_customer.values() if n >= 6)
    assert 5 in per_customer.values() and 6 in per_customer.values(), "order counts 5 and 6 (at least 6)"
    assert max(at_least_six.values()) >= 2, "frequent customers tied on order_count"
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for oid, _, qty, price in shop.order_items:
        totals[oid] += qty * price
    big = {o[0]: totals[o[0]] for o in shop.orders if o[3] == "completed" and o[1] is not None}
    assert Decimal("150.00") in big.values(), "a completed order totalling exactly 150"
    list_price = {p[0]: p[3] for p in shop.products}
    assert any(price != list_price[pid] for _, pid, _, price in shop.order_items), "unit_price != list price"
    # an invariant sql-window's equivalent mutants rely on: an order always has lines
    assert {o[0] for o in shop.orders} <= {oid for oid, *_ in shop.order_items}, "every order has a line"


@pytest.mark.parametrize("which", VARIANTS)
def test_shop_price_ties_and_average(which: str) -> None:
    shop = load("shop").generate(which)
    prices = [p[3] for p in shop.products]
    average = sum(prices) / len(prices)
    assert average in prices, "a product priced exactly at the average (strictly above)"
    tops = Counter()
    for category in {p[2] for p in shop.products}:
        top = max(p[3] for p in shop.products if p[2] == category)
        tops[category] = sum(1 for p in shop.products if p[2] == category and p[3] == top)
    assert max(tops.values()) >= 2, "two products tied at the top price of a category"
    names = Counter((p[2], p[1]) for p in shop.products)
    assert max(names.values()) >= 2, "two products of one category with the same name"
    assert max(Counter(prices).values()) >= 2, "tied prices (rank)"


@pytest.mark.parametrize("which", VARIANTS)
def test_shop_teams_tied_on_salary(which: str) -> None:
    """At least three managers' whole teams cost the same (sql-cte-recursive task 3's tie-breaker)."""
    staff = load("shop").generate(which).employees
    manager_of = {e[0]: e[2] for e in staff}
    team_salary: dict[int, Decimal] = defaultdict(Decimal)
    for employee, _, _, _, salary in staff:
        boss = manager_of[employee]
        while boss is not None:
            team_salary[boss] += salary
            boss = manager_of[boss]
    ties = Counter(team_salary.values())
    assert max(ties.values()) >= 3, "three teams with the same team_salary (employee_id breaks the tie)"
    assert len(ties) >= 4, "the tied teams sit among teams of other totals"
    def depth(employee: int) -> int:
        boss = manager_of[employee]
        return 0 if boss is None else depth(boss) + 1

    stored = [(depth(e[0]), e[0]) for e in staff]
    assert stored != sorted(stored), "a level stored out of id order (ORDER BY depth needs id as tie-breaker)"


def test_shop_hidden_differs_in_ranges() -> None:
    public, hidden = (load("shop").generate(v) for v in VARIANTS)
    assert min(c[0] for c in hidden.customers) > max(c[0] for c in public.customers), "other id range"
    assert len(hidden.orders) > len(public.orders)


# inventory: sql-dml, sql-views-functions -------------------------------------------------------------------

@pytest.mark.parametrize("which", VARIANTS)
def test_inventory_edges(which: str) -> None:
    inv = load("inventory").generate(which)
    deliveries = Counter((d[1], d[2], d[3]) for d in inv.deliveries)
    assert max(deliveries.values()) >= 2, "one pair delivered twice with the same quantity"
    pairs = Counter((d[1], d[2]) for d in inv.deliveries)
    stocked = {(s[0], s[1]) for s in inv.stock}
    assert any(p not in stocked for p in pairs), "a delivery to a pair without a stock row"
    level = {p[0]: p[6] for p in inv.products if not p[7]}
    assert any(s[1] in level and s[2] == level[s[1]] for s in inv.stock), "stock exactly at the reorder level"
    assert any(s[1] in level and s[2] == level[s[1]] - 1 for s in inv.stock), "stock just below it"
    norwegian = {s[0] for s in inv.suppliers if s[2] == "Norway"}
    assert any(p[5] in norwegian and not p[7] and (p[4] * 105) % 1 == Decimal("0.5") for p in inv.products), \
        "a Norwegian price whose raise ends in half a cent"
    assert any(p[5] is None for p in inv.products) and any(s[2] is None for s in inv.suppliers)
    discontinued = [p[0] for p in inv.products if p[7]]
    kinds = {"stocked": 0, "empty rows": 0, "no rows": 0}
    for pid in discontinued:
        qty = [s[2] for s in inv.stock if s[1] == pid]
        kinds["no rows" if not qty else "stocked" if any(qty) else "empty rows"] += 1
    assert all(kinds.values()), f"discontinued products of every kind: {kinds}"


# docstore: the MongoDB labs ----------------------------------------------------------------------------------

@pytest.mark.parametrize("which", VARIANTS)
def test_docstore_products(which: str) -> None:
    from bson.int64 import Int64

    data = load("docstore").mongo_collections(which)
    products = data["products"]
    kinds = {type(p["price"]) for p in products}
    assert {float, int, Int64} <= kinds, f"prices as double, int and long: {kinds}"
    assert any(p["price"] == 20 and p["stock"] > 0 and p["category"] in ("kitchen", "garden") for p in products), \
        "a kitchen or garden product in stock priced exactly 20 (below 20)"
    assert any(p["stock"] == 0 for p in products)
    assert {p.get("discontinued", "missing") for p in products} == {True, False, "missing"}
    on_sale = [p for p in products if "sale" in p["tags"] and not p.get("discontinued")]
    ranked = sorted(on_sale, key=lambda p: (-float(p["price"]), p["_id"]))
    assert ranked[2]["price"] == ranked[3]["price"], "a tie at the cut of the three most expensive sale items"
    natural = [p["_id"] for p in products if p["price"] == ranked[2]["price"] and p in on_sale]
    assert natural != sorted(natural), "natural order differs from _id order within that tie"
    trap = [{"score": 5, "verified": False}, {"score": 3, "verified": True}]
    assert any(p["ratings"] == trap for p in products) and any(not p["ratings"] for p in products)


@pytest.mark.parametrize("which", VARIANTS)
def test_docstore_orders_customers_accounts(which: str) -> None:
    data = load("docstore").mongo_collections(which)
    orders, customers = data["orders"], data["customers"]
    moments = Counter((o["customer_id"], o["ordered_at"]) for o in orders)
    assert max(moments.values()) >= 2, "two orders of one customer at the same moment"
    times = {o["ordered_at"] for o in orders}
    for moment in (dt.datetime(2024, 3, 31, 23, 59, 59), dt.datetime(2024, 4, 1)):
        assert moment in times, f"an order at {moment} (month boundary)"
    pending = {o["ordered_at"] for o in orders if o["status"] == "pending"}
    assert dt.datetime(2024, 7, 1) in pending and dt.datetime(2024, 6, 30, 23, 59, 59) in pending
    ids = {c["_id"] for c in customers}
    assert any(o["customer_id"] not in ids for o in orders) and any(not o["items"] for o in orders)
    assert any("city" not in c for c in customers) and any("city" in c and c["city"] is None for c in customers)
    balances = Counter(a["balance"] for a in data["accounts"])
    assert balances[10000] >= 1, "an account exactly at 10000 (below 10000)"
    assert any(n >= 2 for b, n in balances.items() if b < 10000), "tied balances below 10000"


@pytest.mark.parametrize("which", VARIANTS)
def test_docstore_legacy_documents(which: str) -> None:
    data = load("docstore").mongo_collections(which)
    legacy = data["legacy_products"]
    valid = [d for d in legacy if isinstance(d.get("name"), str) and isinstance(d.get("price"), (int, float))
             and not isinstance(d.get("price"), bool) and d["price"] >= 0 and isinstance(d.get("stock"), int)
             and d["stock"] >= 0 and isinstance(d.get("tags", []), list)]
    assert any("tags" not in d for d in valid), "a valid legacy document without the optional tags"
    assert any(type(d["price"]) is int for d in valid), "a valid legacy price stored as an int"


def test_docstore_hidden_range_is_not_inside_the_public_one() -> None:
    public, hidden = (load("docstore").mongo_collections(v) for v in VARIANTS)
    first = min(o["ordered_at"] for o in public["orders"])
    assert min(o["ordered_at"] for o in hidden["orders"]) < first, "hidden orders start before the public ones"


# Datasets below are also checked on a sealed hidden variant (a seed derived from a bundle's secret, as
# the grader makes it when a grading bundle is sealed): the edges must come from the generator's
# structure, not from a lucky seed.

SEALED = "sealed"
WITH_SEALED = (*VARIANTS, SEALED)


def generated(name: str, which: str) -> tuple[Any, str]:
    """The generator module and the variant to ask it for; `sealed` is the hidden variant under a secret."""
    if which == SEALED:
        return datasets.load(name, ROOT, secret="edge-test-secret"), "hidden"
    return load(name), which


def inserted_ids(sql: str, table: str) -> list[int]:
    """The ids of `table`'s rows in the order the seed SQL inserts them (the first value of each row)."""
    block = sql.split(f"INSERT INTO {table} ", 1)[1].split(";\n", 1)[0]
    return [int(line.strip("(").split(",", 1)[0]) for line in block.splitlines()[1:]]


def cut_inside_tie(values: list[Any], size: int) -> bool:
    """Whether some page boundary of `size` falls between two equal values of an ordered list."""
    return any(values[i - 1] == values[i] for i in range(size, len(values), size))


# bookshop: api-rest-crud, api-errors, api-openapi-contract, api-graphql, api-pagination-filtering,
# api-idempotency-versioning ---------------------------------------------------------------------------------

@pytest.mark.parametrize("which", WITH_SEALED)
def test_bookshop_awkward_rows(which: str) -> None:
    module, variant = generated("bookshop", which)
    books, authors = module.books(variant), module.authors(variant)
    ids = [b.id for b in books]
    assert any(ids[n + 1] - ids[n] > 1 for n in range(len(ids) - 1)), "book ids with gaps"
    assert sum(b.year is None for b in books) >= 2, "books without a year (JSON null, min id with NULL)"
    titles = [b.title for b in books]
    for mark in ("'", '"'):
        assert any(mark in t for t in titles), f"a title with {mark}"
    assert any(not t.isascii() for t in titles), "a title with non-ASCII letters"
    assert any("'" in a[1] for a in authors), "an author name with an apostrophe"
    assert all(len(b.isbn) == 13 and b.isbn.isdigit() for b in books)
    assert len({b.isbn for b in books}) == len(books), "ISBNs are UNIQUE in the schema"
    assert any(b.isbn.startswith("00") for b in books), "ISBNs with leading zeros (text, not numbers)"
    per_author = Counter(b.author_id for b in books)
    assert any(a[0] not in per_author for a in authors), "an author without books ([] in GraphQL)"
    assert max(per_author.values()) >= 3, "an author whose books fill more than one page of 2"
    assert len(books) > 25, "more books than the GraphQL check's limit of 25"


@pytest.mark.parametrize("which", WITH_SEALED)
def test_bookshop_rows_are_not_inserted_in_id_order(which: str) -> None:
    module, variant = generated("bookshop", which)
    sql = module.postgres_sql(variant)
    for table, rows in (("books", module.books(variant)), ("authors", module.authors(variant))):
        order = inserted_ids(sql, table)
        assert sorted(order) == sorted(r.id if table == "books" else r[0] for r in rows), f"every {table} row"
        assert order != sorted(order), f"{table}: heap order must not be id order (a missing ORDER BY id shows)"


@pytest.mark.parametrize("which", WITH_SEALED)
def test_bookshop_ties_straddle_the_page_cut(which: str) -> None:
    module, variant = generated("bookshop", which)
    books = module.books(variant)
    by_time = sorted(books, key=lambda b: (b.added_at, b.id))
    by_price = sorted(books, key=lambda b: (b.price, b.id))
    by_price_desc = sorted(books, key=lambda b: (b.price, b.id), reverse=True)
    assert cut_inside_tie([b.added_at for b in by_time], 7), "an added_at tie across the cut of pages of 7"
    assert cut_inside_tie([b.added_at for b in by_time], 5), "an added_at tie across the cut of pages of 5"
    assert cut_inside_tie([b.price for b in by_price], 7), "a price tie across the cut of pages of 7 (price)"
    assert cut_inside_tie([b.price for b in by_price_desc], 7), "a price tie across the cut of pages of 7 (-price)"


@pytest.mark.parametrize("which", WITH_SEALED)
def test_bookshop_genre_in_mixed_case(which: str) -> None:
    module, variant = generated("bookshop", which)
    genres = Counter(b.genre for b in module.books(variant))
    mixed = [g for g in genres if g != g.lower()]
    assert mixed, "a genre spelled with a capital letter"
    assert all(genres[g.lower()] >= 2 for g in mixed), "the same genre in lower case too (case-blind filter)"


@pytest.mark.parametrize("which", WITH_SEALED)
def test_bookshop_orders_changed_before(which: str) -> None:
    module, variant = generated("bookshop", which)
    versions = {o[3] for o in module.orders(variant)}
    assert 1 in versions and max(versions) > 1, "orders never changed and orders already changed (ETag)"
    book_ids = {b.id for b in module.books(variant)}
    assert all(o[1] in book_ids for o in module.orders(variant))


def test_bookshop_hidden_differs_in_ranges() -> None:
    public, hidden = (load("bookshop").books(v) for v in VARIANTS)
    assert min(b.id for b in hidden) > max(b.id for b in public), "other id range"
    assert max(b.price for b in hidden) > max(b.price for b in public), "other price range"
    assert min(b.added_at for b in hidden) > max(b.added_at for b in public), "other dates"
    assert len(hidden) > len(public)


# pg_products: pg-jsonb ---------------------------------------------------------------------------------------

def kestrel_rows(which: str) -> list[tuple[int, str, dict[str, Any]]]:
    module, variant = generated("pg_products", which)
    return list(module.special_products(variant))


@pytest.mark.parametrize("which", WITH_SEALED)
def test_pg_products_low_stock_edges(which: str) -> None:
    rows = kestrel_rows(which)
    exact = [(pid, a) for pid, _, a in rows if a["brand"] == "Kestrel"]
    stocks = Counter(a.get("stock", "missing") for _, a in exact)
    assert {9, 10, 11, 100} <= set(stocks), "stocks 9, 10, 11 and 100 (text order is not numeric order)"
    assert stocks[None] and stocks["missing"], "a JSON null stock and a missing one"
    low = Counter(s for s in stocks.elements() if isinstance(s, int) and s < 10)
    assert max(low.values()) >= 2, "two Kestrel products tied on a stock below 10 (id breaks the tie)"
    assert any(a["brand"] == "kestrel" and isinstance(a.get("stock"), int) and a["stock"] < 10 for _, _, a in rows), \
        "a low-stock 'kestrel' (brand must match exactly)"
    ids = [pid for pid, _, _ in rows]
    assert ids != sorted(ids), "inserted out of id order"


@pytest.mark.parametrize("which", WITH_SEALED)
def test_pg_products_containment_edges(which: str) -> None:
    attrs = [a for _, _, a in kestrel_rows(which)]

    def some(brand: str, color: str, eco: bool) -> bool:
        return any(a["brand"] == brand and a["color"] == color and ("eco" in a["tags"]) == eco for a in attrs)

    assert some("Kestrel", "green", True) and some("kestrel", "green", True), "green eco in both spellings"
    assert some("Kestrel", "green", False), "green without eco"
    assert some("Kestrel", "red", True), "eco but not green (and red Kestrel for the hidden containment query)"


@pytest.mark.parametrize("which", WITH_SEALED)
def test_pg_products_variants_and_prices(which: str) -> None:
    attrs = [a for _, _, a in kestrel_rows(which)]
    sold_out = [sum(v["stock"] == 0 for v in a["variants"]) for a in attrs if "variants" in a]
    assert max(sold_out) >= 2, "a product with two sizes sold out (ordered by size)"
    assert 0 in sold_out, "a product with variants, none sold out"
    assert any("variants" not in a for a in attrs)
    assert any(a.get("discontinued") for a in attrs)
    assert all(isinstance(a["price"], (int, float)) and a["price"] >= 0 for a in attrs), \
        "every price a number >= 0: the CHECK of task 4 must be addable"


def test_pg_products_hidden_differs_in_ranges() -> None:
    module = load("pg_products")
    public, hidden = (module.special_products(v) for v in VARIANTS)
    assert min(r[0] for r in hidden) > max(r[0] for r in public), "other id range"
    assert module.VARIANTS["hidden"].products > module.VARIANTS["public"].products
    assert len(hidden) > len(public)


# pg_articles: pg-full-text-search ----------------------------------------------------------------------------

def words_of(text: str | None) -> set[str]:
    return set("".join(c if c.isalnum() else " " for c in (text or "").lower()).split())


@pytest.mark.parametrize("which", WITH_SEALED)
def test_pg_articles_search_edges(which: str) -> None:
    module, variant = generated("pg_articles", which)
    articles = module.special_articles(variant)
    for forms in ({"replication"}, {"tuning"}, {"run", "runs", "running"}):
        assert any(forms & words_of(t) for _, t, _ in articles), f"{forms} in a title (weight A)"
        assert any(forms & words_of(b) and not forms & words_of(t) for _, t, b in articles), \
            f"{forms} only in a body (weight B ranks below)"
    assert any(b is None for _, _, b in articles), "a NULL body (counts as empty text)"
    assert any(any(w.isupper() and len(w) > 1 for w in t.split()) for _, t, _ in articles), "a title in capitals"
    both = [t for _, t, b in articles if {"vacuum", "autovacuum"} <= words_of(f"{t} {b}")]
    assert both, "an article with vacuum and autovacuum ('vacuum -autovacuum' must drop it)"
    assert any("vacuum" in words_of(f"{t} {b}") and "autovacuum" not in words_of(f"{t} {b}")
               for _, t, b in articles), "a vacuum article without autovacuum ('vacuum -autovacuum' keeps it)"
    ids = [pid for pid, _, _ in articles]
    assert ids == sorted(ids) and ids[-1] - ids[0] < 100, "hand-made articles have the lowest ids (first 30 rows)"


def test_pg_articles_hidden_search_terms() -> None:
    articles = load("pg_articles").special_articles("hidden")
    assert any("replication slots" in f"{t} {b}".lower() for _, t, b in articles), "the phrase search"
    assert any("freeze" in words_of(f"{t} {b}") for _, t, b in articles), "'freeze or tuning'"
    assert any("replicaton" in t.lower() for _, t, _ in articles), "a title with a typo"


def test_pg_articles_hidden_differs_in_ranges() -> None:
    module = load("pg_articles")
    public, hidden = (module.special_articles(v) for v in VARIANTS)
    assert hidden[0][0] != public[0][0], "other ids"
    assert {t for _, t, _ in hidden} != {t for _, t, _ in public}, "other articles"
    assert module.VARIANTS["hidden"].articles > module.VARIANTS["public"].articles


# pg_tenants: pg-row-level-security ---------------------------------------------------------------------------

@pytest.mark.parametrize("which", WITH_SEALED)
def test_pg_tenants_edges(which: str) -> None:
    module, variant = generated("pg_tenants", which)
    invoices, tenants = module.invoices(variant), module.tenants(variant)
    per_tenant = Counter(i[1] for i in invoices)
    with_rows = [str(t) for t in per_tenant]
    assert any(a != b and b.startswith(a) for a in with_rows for b in with_rows), \
        "tenant ids that are prefixes of one another, both with invoices (text or LIKE comparison mixes them)"
    assert any(t not in per_tenant for t in tenants), "a tenant without invoices"
    for tenant in per_tenant:
        statuses = {i[4] for i in invoices if i[1] == tenant}
        assert {"archived", "open"} <= statuses, f"tenant {tenant}: an archived and an open invoice"
        assert per_tenant[tenant] >= 3
    assert len({i[0] for i in invoices}) == len(invoices)


def test_pg_tenants_hidden_differs_in_ranges() -> None:
    module = load("pg_tenants")
    public, hidden = (module.invoices(v) for v in VARIANTS)
    assert not set(module.tenants("public")) & set(module.tenants("hidden")), "other tenants"
    assert min(i[0] for i in hidden) > max(i[0] for i in public), "other invoice ids"


# pg_shop: pg-roles-privileges --------------------------------------------------------------------------------

@pytest.mark.parametrize("which", WITH_SEALED)
def test_pg_shop_edges(which: str) -> None:
    module, variant = generated("pg_shop", which)
    customers, orders, log = module.tables(variant)
    assert customers and orders and log, "every table has rows to read (and to be refused)"
    cities = [c[3] for c in customers]
    assert None in cities and any(cities), "customers with and without a city (NULL)"
    emails = [str(c[2]) for c in customers]
    assert any(e != e.lower() for e in emails) and any(e == e.lower() for e in emails), "mixed-case emails"
    ids = {c[0] for c in customers}
    assert all(o[1] in ids for o in orders)


def test_pg_shop_hidden_differs_in_ranges() -> None:
    module = load("pg_shop")
    (public, public_orders, _), (hidden, hidden_orders, _) = (module.tables(v) for v in VARIANTS)
    assert min(c[0] for c in hidden) > max(c[0] for c in public), "sequences start far from the public ids"
    assert min(o[0] for o in hidden_orders) > max(o[0] for o in public_orders)
    assert len(hidden) > len(public) and len(hidden_orders) > len(public_orders)


# secapp: auth-password-storage, auth-jwt, auth-authorization, sec-cors-csrf-headers, sec-rate-limit-lockout,
# sec-sql-injection -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", WITH_SEALED)
def test_secapp_users_and_sessions(which: str) -> None:
    module, variant = generated("secapp", which)
    data = module.content(variant)
    emails = [u.email for u in data.users]
    assert any(e != e.lower() for e in emails) and any("'" in e for e in emails), "mixed-case and O'Brien e-mails"
    assert len({e.lower() for e in emails}) == len(emails), "e-mails unique in any case (lower(email) index)"
    passwords = [u.password for u in data.users]
    assert any(" " in p for p in passwords) and any(not p.isascii() for p in passwords)
    assert {u.legacy_hash for u in data.users} == {True, False}, "legacy (weak) hashes beside current ones"
    assert {u.role for u in data.users} == {"customer", "support", "admin"}
    owners = Counter(o.user_id for o in data.orders)
    customers = [u.id for u in data.users if u.role == "customer"]
    assert any(c not in owners for c in customers), "a customer without orders"
    assert sum(1 for c in customers if owners[c] >= 2) >= 2, "two customers with orders (IDOR needs another's)"
    assert any(o.status == "pending" for o in data.orders) and any(o.status != "pending" for o in data.orders)
    assert any(o.status == "shipped" and o.user_id in customers for o in data.orders), "a customer's shipped order"
    assert any(expired for _, _, expired in data.sessions) and any(not e for _, _, e in data.sessions)


@pytest.mark.parametrize("which", WITH_SEALED)
def test_secapp_products_for_the_search(which: str) -> None:
    module, variant = generated("secapp", which)
    products = module.content(variant).products
    names = [p.name for p in products]
    for tricky in ("'", "%", "_", "--"):
        assert any(tricky in n for n in names), f"a name with {tricky}"
    assert any(n.startswith("1000") for n in names), "a name that only an unescaped % would match"
    assert "Tea Towel Hook" in names, "a name that only an unescaped _ would match"
    assert max(Counter(p.price for p in products).values()) >= 2, "a tie on price (desc ties by id ascending)"
    assert max(Counter(names).values()) >= 2, "two products with the same name (sort=name ties by id)"
    assert any(p.price == Decimal("40.00") for p in products), "a price exactly at max_price=40"
    assert any(p.price == Decimal("19.99") and p.category == "kitchen" for p in products), \
        "a kitchen product exactly at max_price=19.99"
    assert len({p.category for p in products}) >= 3


def test_secapp_hidden_differs_in_ranges() -> None:
    module = load("secapp")
    public, hidden = (module.content(v) for v in VARIANTS)
    assert min(u.id for u in hidden.users) > max(u.id for u in public.users), "other user ids"
    assert min(o.id for o in hidden.orders) > max(o.id for o in public.orders), "other order ids"
    assert module.app_env("public") != module.app_env("hidden"), "other keys, origins and limits"
    sealed = datasets.load("secapp", ROOT, secret="edge-test-secret").app_env("hidden")
    assert sealed["JWT_PUBLIC_KEY"] != module.app_env("hidden")["JWT_PUBLIC_KEY"], "a secret moves the keys"


# pages: arch-connection-pool, arch-health-observability ------------------------------------------------------

@pytest.mark.parametrize("which", WITH_SEALED)
def test_pages_edges(which: str) -> None:
    module, variant = generated("pages", which)
    rows = module.pages(variant)
    slugs = [slug for slug, _, _ in rows]
    assert len(set(slugs)) == len(slugs) >= 5, "at least five distinct pages (the checks take one each)"
    assert any(s != s.lower() for s in slugs) and any(s == s.lower() for s in slugs), "slugs in mixed case"
    assert all(s.lower() not in slugs for s in slugs if s != s.lower()), "a case-folded slug is another page (404)"
    assert any(any(c.isdigit() for c in s) and "-" in s for s in slugs), "slugs with digits and hyphens"
    visits = [v for _, _, v in rows]
    assert 0 in visits, "a page with 0 visits"
    assert any(v > 2**31 for v in visits), "a counter beyond 2^31 (bigint, not integer)"


def test_pages_hidden_differs_in_ranges() -> None:
    public, hidden = (load("pages").pages(v) for v in VARIANTS)
    assert not {s for s, _, _ in public} & {s for s, _, _ in hidden}, "other slugs"
    assert len(hidden) > len(public)


# jobqueue: arch-job-queue ------------------------------------------------------------------------------------

def inserted_job_ids(sql: str) -> list[int]:
    marker = "INSERT INTO jobs (id, account_id, amount_cents) VALUES ("
    return [int(line[len(marker):].split(",", 1)[0]) for line in sql.splitlines() if line.startswith(marker)]


@pytest.mark.parametrize("which", WITH_SEALED)
def test_jobqueue_edges(which: str) -> None:
    module, variant = generated("jobqueue", which)
    accounts, jobs = module.rows(variant)
    ids = [j[0] for j in jobs]
    assert ids == sorted(ids) and min(ids) != 1, "the oldest job is the lowest id, not id 1"
    assert any(ids[n + 1] - ids[n] > 1 for n in range(len(ids) - 1)), "job ids with gaps"
    order = inserted_job_ids(module.postgres_sql(variant))
    assert sorted(order) == ids and order != ids, "jobs inserted out of id order (a claim needs ORDER BY id)"
    frozen = {a[0] for a in accounts if a[3]}
    known = {a[0] for a in accounts}
    poison = module.poison_jobs(variant)
    kinds = {"frozen" if j[1] in frozen else "missing" for j in jobs if j[0] in poison}
    assert kinds == {"frozen", "missing"}, "a job for a frozen account and one for an account that does not exist"
    assert {j[0] for j in jobs if j[1] in frozen or j[1] not in known} == set(poison), "no other poison job"
    assert ids[0] not in poison and ids[-1] not in poison, "healthy jobs around the poison ones"
    healthy = Counter(j[1] for j in jobs if j[0] not in poison)
    assert max(healthy.values()) >= 2, "several jobs for one account (payouts add up)"
    amounts = [j[2] for j in jobs if j[0] not in poison]
    assert 1 in amounts and module.VARIANTS[variant].max_cents in amounts, "1 cent and the largest amount"
    assert any(a[0] not in {j[1] for j in jobs} for a in accounts), "an account no job pays"


def test_jobqueue_hidden_differs_in_ranges() -> None:
    module = load("jobqueue")
    (_, public), (_, hidden) = (module.rows(v) for v in VARIANTS)
    assert min(j[0] for j in hidden) > max(j[0] for j in public), "other job ids"
    assert max(j[2] for j in hidden) > max(j[2] for j in public), "other amounts"
    positions = [[n for n, j in enumerate(jobs) if j[0] in module.poison_jobs(v)] for v, jobs in
                 zip(VARIANTS, (public, hidden), strict=True)]
    assert positions[0] != positions[1], "poison jobs elsewhere in the queue"


# saga: arch-saga ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", WITH_SEALED)
def test_saga_edges(which: str) -> None:
    module, variant = generated("saga", which)
    orders, seeded = module.orders(variant), module.stock_and_balance(variant)
    supported = set(module.VARIANTS[variant].countries)
    for purpose, (_, _, _, quantity, amount, country) in orders.items():
        stock, balance = seeded[purpose]
        fails_at = purpose.removeprefix("fails_at_") if purpose.startswith("fails_at_") else None
        assert (stock < quantity) == (fails_at == "reserve"), f"{purpose}: stock short only where reserve fails"
        assert (balance < amount) == (fails_at == "charge"), f"{purpose}: wallet short only where charge fails"
        refused = country not in supported
        assert refused == (purpose in ("fails_at_ship", "gated_compensation")), f"{purpose}: country"
    _, _, _, quantity, amount, _ = orders["happy_exact"]
    assert seeded["happy_exact"] == (quantity, amount), "stock and wallet exactly enough (both end at 0)"
    assert seeded["fails_at_reserve"][0] == orders["fails_at_reserve"][3] - 1, "short by exactly one"
    assert seeded["fails_at_charge"][1] == orders["fails_at_charge"][4] - 1, "short by exactly one cent"
    country = orders["fails_at_ship"][5]
    assert country.upper() in supported, "the refused country differs in case only from a supported one"
    ids = [o[0] for o in orders.values()]
    assert len({o[1] for o in orders.values()}) == len(ids) and len({o[2] for o in orders.values()}) == len(ids)
    assert any(ids[n + 1] - ids[n] > 1 for n in range(len(ids) - 1)), "order ids with gaps"


def test_saga_hidden_differs_in_ranges() -> None:
    public, hidden = (load("saga").orders(v) for v in VARIANTS)
    assert min(o[0] for o in hidden.values()) > max(o[0] for o in public.values()), "other order ids"
    assert {o[5] for o in hidden.values()}.isdisjoint({o[5] for o in public.values()}), "other countries"


# outbox: arch-transactional-outbox ---------------------------------------------------------------------------

@pytest.mark.parametrize("which", WITH_SEALED)
def test_outbox_edges(which: str) -> None:
    module, variant = generated("outbox", which)
    rows = module.products(variant)
    skus = [sku for sku, _, _ in rows]
    assert len({s.lower() for s in skus}) == len(skus), "SKUs unique, even ignoring case"
    assert any(s != s.lower() for s in skus) and any(s == s.lower() for s in skus), "SKUs in mixed case"
    stocks = [stock for _, _, stock in rows]
    assert stocks[0] == 0 and stocks[1] == 3, "a product without stock and one with exactly 3 (3 fine, 4 refused)"
    assert len(rows) >= 4 and all(s > 4 for s in stocks[2:4]), "the early orders' products have stock to spare"
    sql = module.postgres_sql(variant)
    published = [line for line in sql.splitlines() if line.startswith("INSERT INTO outbox")]
    assert len(published) == 2 and all("now())" in line for line in published), "two events already published"


def test_outbox_hidden_differs_in_ranges() -> None:
    module = load("outbox")
    public, hidden = (module.products(v) for v in VARIANTS)
    assert {s for s, _, _ in public}.isdisjoint({s for s, _, _ in hidden}), "other SKUs"
    assert module.VARIANTS["hidden"].first_order > module.VARIANTS["public"].first_order + 100, "other ids"


@pytest.mark.parametrize("which", WITH_SEALED)
def test_secapp_products_not_inserted_in_id_order(which: str) -> None:
    module, variant = generated("secapp", which)
    order = inserted_ids(module.postgres_sql(variant), "products")
    ids = [p.id for p in module.content(variant).products]
    assert sorted(order) == ids and order != ids, "heap order is not id order (a missing tie-breaker shows)"


# opsdb: pg-partitioning, pg-backup-restore, pg-replication, pg-locks-monitoring -----------------------------

MICROSECOND = dt.timedelta(microseconds=1)


def opsdb_tables(which: str) -> Any:
    module, variant = generated("opsdb", which)
    return module.tables(variant)


def readings_at(which: str) -> list[tuple[int, dt.datetime, Decimal | None]]:
    return [(device, dt.datetime.fromisoformat(at), value) for device, at, value in opsdb_tables(which).readings]


@pytest.mark.parametrize("which", WITH_SEALED)
def test_opsdb_readings_on_every_month_boundary(which: str) -> None:
    times = {at for _, at, _ in readings_at(which)}
    for month in range(1, 9):
        start = dt.datetime(2024, month, 1)
        assert start in times, f"a reading at {start} (a range that starts after it, or `>` in March, loses it)"
        assert start - MICROSECOND in times, \
            f"a reading in the last microsecond before {start} (TO '…-31', BETWEEN … '…-31' or `<= 23:59:59` lose it)"
    assert any(at < dt.datetime(2024, 1, 1) for at in times), \
        "a reading before January (FROM (MINVALUE) puts it in January; without a default partition the copy fails)"
    assert any(dt.datetime(2024, 7, 1) < at < dt.datetime(2024, 8, 1) - MICROSECOND for at in times), \
        "a reading inside July (it waits in the default partition for July's)"


@pytest.mark.parametrize("which", WITH_SEALED)
def test_opsdb_march_has_a_reading_without_value(which: str) -> None:
    march = [(device, value) for device, at, value in readings_at(which) if at.year == 2024 and at.month == 3]
    assert any(value is None for _, value in march), "a NULL value in March (count(value) is not count(*))"
    assert len({device for device, _ in march}) >= 2, "several devices in March (one row each, by device_id)"


@pytest.mark.parametrize("which", WITH_SEALED)
def test_opsdb_sequences_stand_beyond_the_largest_id(which: str) -> None:
    data = opsdb_tables(which)
    for table in ("customers", "orders", "audit_log"):
        largest = max(int(str(row[0])) for row in getattr(data, table))
        assert data.sequences[table] > largest, \
            f"{table}: the sequence ahead of max(id) (a restore that recomputes it from max(id) reuses ids)"


@pytest.mark.parametrize("which", WITH_SEALED)
def test_opsdb_orders_for_the_replication_changes(which: str) -> None:
    orders = opsdb_tables(which).orders
    regions = Counter(o[2] for o in orders)
    assert set(regions) == {"eu", "us", "apac"}, "orders in and out of the EU (a filter `region <> 'us'` sends apac)"
    eu = [o for o in orders if o[2] == "eu"]
    assert {o[5] for o in eu} == {"paid", "shipped", "pending", "refunded"}, \
        "EU orders of every status: the checks delete refunded and pending ones (a publication without deletes)"
    ids = [int(str(o[0])) for o in eu]
    assert any(i % 4 == 0 for i in ids) and any(i % 5 == 0 for i in ids), "EU orders the checks' updates pick"


def dead_tuples(which: str) -> dict[str, tuple[int, int]]:
    """(live, dead) tuples per table after pg-locks-monitoring's workload (its DEAD_WORK): EU orders and
    customers without a region updated, every audit_log row with id % 3 = 0 deleted."""
    data = opsdb_tables(which)
    updated_orders = sum(o[2] == "eu" for o in data.orders)
    updated_customers = sum(c[3] is None for c in data.customers)
    deleted = sum(int(str(a[0])) % 3 == 0 for a in data.audit_log)
    return {"orders": (len(data.orders), updated_orders), "customers": (len(data.customers), updated_customers),
            "audit_log": (len(data.audit_log) - deleted, deleted)}


@pytest.mark.parametrize("which", WITH_SEALED)
def test_opsdb_dead_tuples_order(which: str) -> None:
    tables = dead_tuples(which)
    assert all(dead for _, dead in tables.values()), f"dead tuples in every table the workload touches: {tables}"
    share = {name: Decimal(100 * dead) / (live + dead) for name, (live, dead) in tables.items()}
    by_count = sorted(tables, key=lambda name: (-tables[name][1], name))
    assert by_count != sorted(tables, key=lambda name: (-share[name], name)), \
        "the largest dead share is not the largest dead count (ORDER BY dead_pct instead of n_dead_tup)"
    assert max(Counter(dead for _, dead in tables.values()).values()) >= 2, \
        "two tables tied on n_dead_tup (relname breaks the tie)"
    assert any(value % 1 for value in share.values()), "a dead share that is not whole (100 * n / total in integers)"


def test_opsdb_hidden_differs_in_ranges() -> None:
    public, hidden = (opsdb_tables(v) for v in VARIANTS)
    assert min(c[0] for c in hidden.customers) > max(c[0] for c in public.customers), "other customer ids"
    assert min(o[0] for o in hidden.orders) > max(o[0] for o in public.orders), "other order ids"
    assert not {r[0] for r in public.readings} & {r[0] for r in hidden.readings}, "other devices"
    public_times, hidden_times = ({r[1] for r in t.readings} for t in (public, hidden))
    assert min(hidden_times) < min(public_times) and max(hidden_times) > max(public_times), "out-of-range months"
    assert len(hidden.orders) > len(public.orders) and len(hidden.readings) > len(public.readings)


# storefront: sql-indexing-explain (formulas over the row number: no seed, so no sealed variant) -------------

STOREFRONT_WINDOW = (dt.datetime(2024, 7, 1), dt.datetime(2025, 7, 1))  # query 2's date range
ROWS_PER_PAGE = 150  # more than an orders page holds (about 120 rows of 8 kB)


@functools.cache
def storefront_orders(which: str) -> list[tuple[int, int, int, str]]:
    """(id, customer_id, minute, status) of every order, computed once per variant (200 000 rows)."""
    return list(load("storefront").orders(which))


@pytest.mark.parametrize("which", VARIANTS)
def test_storefront_emails_in_mixed_case(which: str) -> None:
    emails = load("storefront").emails(which)
    assert all(e != e.lower() for e in emails), "every email has capitals (an index on email cannot serve lower())"
    assert len({e.lower() for e in emails}) == len(emails), "emails unique in lower case (query 1 finds one user)"
    domains = Counter(e.split("@")[1] for e in emails)
    assert any(d == d.lower() for d in domains) and any(d.endswith(".TEST") for d in domains), \
        "domains in lower case and in capitals, '.TEST' among them (the hidden check picks one)"


@pytest.mark.parametrize("which", VARIANTS)
def test_storefront_created_at_is_unique(which: str) -> None:
    minutes = [minute for _, _, minute, _ in storefront_orders(which)]
    assert len(set(minutes)) == len(minutes), \
        "no two orders share created_at (ORDER BY created_at has one right order before and after the indexes)"


@pytest.mark.parametrize("which", VARIANTS)
def test_storefront_pending_orders_are_rare_and_spread(which: str) -> None:
    orders = storefront_orders(which)
    rows = [n for n, (_, _, _, status) in enumerate(orders) if status == "pending"]
    assert len(orders) // 250 <= len(rows) <= len(orders) // 150, "about one order in two hundred is pending"
    assert min(b - a for a, b in itertools.pairwise(rows)) >= ROWS_PER_PAGE, \
        "no two pending orders on one page (an index on status alone fetches about a thousand pages)"
    cancelled = sum(status == "cancelled" for _, _, _, status in orders)
    assert cancelled >= 5 * len(rows), \
        "far more cancelled than pending orders (a partial index WHERE status <> 'completed' reads through them)"


@pytest.mark.parametrize("which", VARIANTS)
def test_storefront_customers_with_orders_in_and_out_of_the_window(which: str) -> None:
    start = dt.datetime(2024, 1, 1)
    inside: Counter[int] = Counter()
    outside: Counter[int] = Counter()
    for _, customer, minute, _ in storefront_orders(which):
        at = start + dt.timedelta(minutes=minute)
        (inside if STOREFRONT_WINDOW[0] <= at < STOREFRONT_WINDOW[1] else outside)[customer] += 1
    chosen = [c for c, n in inside.items() if n >= 2]
    assert len(chosen) > 777 * 2, "customers with two orders in query 2's range, at the offsets the checks use"
    assert sum(1 for c in chosen if outside[c]) > len(chosen) // 2, \
        "most of them have orders outside the range too (the range is part of the search, not every order)"


def test_storefront_hidden_differs_in_ranges() -> None:
    module = load("storefront")
    public, hidden = module.VARIANTS["public"], module.VARIANTS["hidden"]
    assert hidden.first_user > public.first_user + public.users, "other user ids"
    assert hidden.first_order > public.first_order + public.orders, "other order ids"
    assert hidden.users > public.users and hidden.orders > public.orders
    assert (hidden.customer_step, hidden.time_step, hidden.pending_every) != \
        (public.customer_step, public.time_step, public.pending_every), "other multipliers"


# flat_orders: sql-normalization -----------------------------------------------------------------------------

def flat_rows(which: str) -> list[tuple[Any, ...]]:
    module, variant = generated("flat_orders", which)
    return list(module.rows(variant))


def determined(rows: list[tuple[Any, ...]], key: int, *columns: int) -> bool:
    """Whether column `key` determines `columns` in `rows` (a functional dependency)."""
    seen: dict[Any, set[tuple[Any, ...]]] = defaultdict(set)
    for row in rows:
        seen[row[key]].add(tuple(row[c] for c in columns))
    return all(len(values) == 1 for values in seen.values())


@pytest.mark.parametrize("which", WITH_SEALED)
def test_flat_orders_obey_the_dependencies(which: str) -> None:
    rows = flat_rows(which)
    assert determined(rows, 2, 3, 4), "email determines name and city (one customer row per email)"
    assert determined(rows, 5, 6, 7), "sku determines name and price"
    assert determined(rows, 0, 1, 2), "order_id determines date and customer"
    lines = Counter((r[0], r[5]) for r in rows)
    assert max(lines.values()) == 1, "at most one line per order and sku (the PRIMARY KEY of order_lines)"


@pytest.mark.parametrize("which", WITH_SEALED)
def test_flat_orders_repeat_every_fact(which: str) -> None:
    rows = flat_rows(which)
    per_order = Counter(r[0] for r in rows)
    assert max(per_order.values()) >= 2, "orders with several lines (orders loaded without DISTINCT repeat)"
    orders_per_customer = Counter(email for email in dict((r[0], r[2]) for r in rows).values())
    assert max(orders_per_customer.values()) >= 2, "customers with several orders (customers without DISTINCT)"
    assert max(Counter(r[5] for r in rows).values()) >= 2, "products on several lines"


@pytest.mark.parametrize("which", WITH_SEALED)
def test_flat_orders_customers_without_a_city(which: str) -> None:
    rows = flat_rows(which)
    assert any(r[4] is None for r in rows), "lines of customers without a city (a join on city = city drops them)"
    assert any(r[4] is not None for r in rows)


@pytest.mark.parametrize("which", WITH_SEALED)
def test_flat_orders_namesakes(which: str) -> None:
    rows = flat_rows(which)
    customers = {(r[2], r[3], r[4]) for r in rows}
    by_name_and_city = Counter((name, city) for _, name, city in customers)
    assert any(n >= 2 and city is not None for (_, city), n in by_name_and_city.items()), \
        "two customers with the same name and city (a join on name, or on name and city, mixes their orders)"
    products = {(r[5], r[6], r[7]) for r in rows}
    prices_by_name: dict[str, set[Decimal]] = defaultdict(set)
    for _, name, price in products:
        prices_by_name[name].add(price)
    assert any(len(prices) >= 2 for prices in prices_by_name.values()), \
        "two products with the same name at different prices (a product is its sku, not its name)"


def test_flat_orders_hidden_differs_in_ranges() -> None:
    public, hidden = flat_rows("public"), flat_rows("hidden")
    assert min(r[0] for r in hidden) > max(r[0] for r in public), "other order ids"
    assert not {r[5] for r in public} & {r[5] for r in hidden}, "other skus"
    assert min(r[1] for r in hidden) < min(r[1] for r in public), "other dates"
    assert [r[0] for r in hidden] != sorted(r[0] for r in hidden), "rows out of order_id order"
    no_city = [sum(city is None for _, city in {(r[2], r[4]) for r in rows}) for rows in (public, hidden)]
    assert no_city[1] > no_city[0], "more customers without a city"


# bank: sql-transactions -------------------------------------------------------------------------------------

def bank_accounts(which: str) -> list[tuple[int, str, Decimal]]:
    module, variant = generated("bank", which)
    return list(module.accounts(variant))


@pytest.mark.parametrize("which", WITH_SEALED)
def test_bank_accounts_edges(which: str) -> None:
    rows = bank_accounts(which)
    ids = [account for account, _, _ in rows]
    ordered = sorted(ids)
    assert ids != ordered, "rows inserted out of id order"
    assert any(b - a > 1 for a, b in itertools.pairwise(ordered)), "ids with gaps (an id between two is unknown)"
    balances = [balance for _, _, balance in rows]
    assert balances.count(Decimal(0)) == 1, "one empty account (it can send nothing, not even 0.01)"
    lowest_funded = min((account, balance) for account, _, balance in rows if balance >= 100)
    assert lowest_funded[1] % 1, \
        "the funded account of lowest id has cents (task 1's overdraft check: a balance in an integer loses them)"
    funded = [b for b in balances if b > 0]
    assert min(funded) >= 100 and len(funded) >= 10, \
        "every other account holds 100 or more: ten funded accounts for the crossing transfers"


def test_bank_hidden_differs_in_ranges() -> None:
    public, hidden = bank_accounts("public"), bank_accounts("hidden")
    assert min(i for i, _, _ in hidden) > max(i for i, _, _ in public), "other ids"
    assert max(b for _, _, b in hidden) > max(b for _, _, b in public), "other balances"
    assert len(hidden) > len(public)
