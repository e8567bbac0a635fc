"""Every dataset carries, in BOTH variants, the edge cases its labs' READMEs promise.

Without a row on the boundary, a tie on the sort key or a missing optional field, a plausible
wrong answer gives the same result as the right one and is accepted. These tests read the
generators' own output (no server needed) and fail when a change to a generator loses an edge.
"""

from __future__ import annotations

import datetime as dt
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
