"""The `shop` dataset: customers, products, orders, order items and staff, from a seeded generator.

`public` is what learners see and explore; `hidden` is generated with another seed and a shape
chosen to expose the usual mistakes: ids far from 1 with gaps, duplicate customer names, more
NULL cities, guest orders without a customer, timestamps that tie, customers and products with
no orders, and rows inserted in shuffled order.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

FIRST = ["Ada", "Bruno", "Chen", "Dara", "Emil", "Farah", "Goran", "Hana", "Ivo", "Jun", "Kemal", "Lena",
         "Mira", "Nils", "Olu", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Vera", "Wes", "Yara", "Zeno"]
LAST = ["Abara", "Brandt", "Costa", "Dvorak", "Eze", "Fontaine", "Grieg", "Haddad", "Ilves", "Jansen",
        "Kowal", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Quist", "Rahman", "Silva", "Tanaka"]
CITIES = ["Lisbon", "Oslo", "Tallinn", "Lyon", "Porto", "Gdansk", "Utrecht", "Graz"]
CATEGORIES = {
    "books": ["Atlas", "Cookbook", "Field Guide", "Novel", "Poetry Reader", "Puzzle Book"],
    "garden": ["Trowel", "Seed Tray", "Hose Reel", "Pruner", "Watering Can"],
    "kitchen": ["Kettle", "Whisk", "Ladle", "Teapot", "Skillet", "Grater"],
    "office": ["Stapler", "Desk Lamp", "Notebook", "Fountain Pen", "Paper Tray"],
    "toys": ["Kite", "Yo-yo", "Puzzle", "Spinning Top", "Marble Run"],
}
STATUSES = ["completed", "completed", "completed", "completed", "pending", "cancelled"]
TITLES = ["Engineer", "Analyst", "Designer", "Support Agent", "Recruiter"]
TIED_NAMES = ["Nils Aalto", "Mira Berger", "Otto Carlsen", "Rosa Dahl", "Sven Ek", "Tara Falk", "Uma Gale",
              "Vera Holm", "Wim Ibsen"]


@dataclass(frozen=True)
class Shape:
    seed: int
    customers: int
    products: int
    orders: int
    first_id: int
    id_gap: int  # ids step by 1..id_gap
    null_city_ratio: float
    guest_ratio: float
    duplicate_names: int
    tie_minutes: int  # order times are multiples of this many minutes, so they tie
    org_depth: int
    shuffle: bool


VARIANTS = {
    "public": Shape(seed=1, customers=30, products=20, orders=120, first_id=1, id_gap=1, null_city_ratio=0.15,
                    guest_ratio=0.05, duplicate_names=1, tie_minutes=30, org_depth=4, shuffle=False),
    "hidden": Shape(seed=2, customers=47, products=26, orders=190, first_id=1000, id_gap=7, null_city_ratio=0.25,
                    guest_ratio=0.1, duplicate_names=4, tie_minutes=240, org_depth=7, shuffle=True),
}


@dataclass
class Shop:
    customers: list[tuple[int, str, str, str | None, dt.date]] = field(default_factory=list)
    products: list[tuple[int, str, str, Decimal]] = field(default_factory=list)
    orders: list[tuple[int, int | None, dt.datetime, str]] = field(default_factory=list)
    order_items: list[tuple[int, int, int, Decimal]] = field(default_factory=list)
    employees: list[tuple[int, str, int | None, str, Decimal]] = field(default_factory=list)


def _ids(rng: random.Random, shape: Shape, count: int) -> list[int]:
    ids, current = [], shape.first_id + rng.randint(0, shape.id_gap - 1)
    for _ in range(count):
        ids.append(current)
        current += rng.randint(1, shape.id_gap)
    return ids


def generate(variant: str) -> Shop:
    shape = VARIANTS[variant]
    rng = random.Random(shape.seed)
    shop = Shop()
    names = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(shape.customers)]
    for i in range(shape.duplicate_names):
        names[-1 - i] = names[i]
    for cid, name in zip(_ids(rng, shape, shape.customers), names, strict=True):
        city = None if rng.random() < shape.null_city_ratio else rng.choice(CITIES)
        email = f"{name.lower().replace(' ', '.')}.{cid}@example.test"
        signed_up = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 600))
        shop.customers.append((cid, name, email, city, signed_up))
    catalogue = [(cat, item) for cat, items in CATEGORIES.items() for item in items]
    rng.shuffle(catalogue)
    for pid, (category, item) in zip(_ids(rng, shape, shape.products), catalogue, strict=False):
        price = Decimal(rng.choice([4, 9, 12, 15, 19, 24, 35, 49])) + Decimal(rng.choice(["0.00", "0.50", "0.99"]))
        shop.products.append((pid, item, category, price))
    # a few customers and products never appear in an order (unmatched rows for outer joins)
    buyers = [c[0] for c in shop.customers[: int(shape.customers * 0.8)]]
    sold = shop.products[: int(shape.products * 0.85)]
    start = dt.datetime(2024, 1, 1, 8, 0)
    for oid in _ids(rng, shape, shape.orders):
        customer = None if rng.random() < shape.guest_ratio else rng.choice(buyers)
        minutes = rng.randint(0, 365 * 24 * 60 // shape.tie_minutes) * shape.tie_minutes
        shop.orders.append((oid, customer, start + dt.timedelta(minutes=minutes), rng.choice(STATUSES)))
        for product in rng.sample(sold, rng.randint(1, 4)):
            shop.order_items.append((oid, product[0], rng.randint(1, 5), product[3]))
    _staff(rng, shape, shop)
    _tied_teams(shop)
    _tied_orders(shape, shop)
    _edges(shape, shop)
    if shape.shuffle:
        for rows in (shop.customers, shop.products, shop.orders, shop.order_items):
            rng.shuffle(rows)  # type: ignore[arg-type]
    return shop


def _tied_teams(shop: Shop) -> None:
    """Three new managers under the director whose teams cost exactly the same (two reports each).

    A tie on team_salary makes a team ranking without its employee_id tie-breaker come out in the
    order the sort happens to leave it: with three tied teams among the others, PostgreSQL's sort
    moves them out of employee_id order, so the missing tie-breaker shows. No randomness: every
    earlier row stays as it was.
    """
    director = next(e[0] for e in shop.employees if e[2] is None)
    first = max(e[0] for e in shop.employees) + 1
    names = iter(TIED_NAMES)
    managers = [first, first + 1, first + 2]
    team = [(manager, next(names), director, "Team Lead", Decimal(6000)) for manager in managers]
    team += [(report, next(names), manager, "Analyst", Decimal(4500))
             for n, manager in enumerate(managers) for report in (first + 3 + 2 * n, first + 4 + 2 * n)]
    shop.employees.extend(reversed(team))  # stored highest id first: id order must come from ORDER BY


def _tied_orders(shape: Shape, shop: Shop) -> None:
    """Extra completed orders placed at exactly the same moment as an existing completed order.

    Ties on `ordered_at` make a running total without a tie-breaker, or a "latest orders" LIMIT
    ordered by time alone, visibly wrong. A separate random stream leaves every earlier row as it was.
    """
    rng = random.Random(shape.seed * 7919)
    completed = sorted((o for o in shop.orders if o[3] == "completed"), key=lambda o: o[2])
    buyers = sorted({o[1] for o in shop.orders if o[1] is not None})
    # the latest completed order and two others, so ties fall inside "the latest ten" and mid-year
    twins = [completed[-1], completed[len(completed) // 3], completed[len(completed) // 2]]
    next_id = max(o[0] for o in shop.orders) + 1
    for twin in twins:
        shop.orders.append((next_id, rng.choice(buyers), twin[2], "completed"))
        for product in rng.sample(shop.products[: int(shape.products * 0.85)], rng.randint(1, 3)):
            shop.order_items.append((next_id, product[0], rng.randint(1, 5), product[3]))
        next_id += rng.randint(1, shape.id_gap)


def _edges(shape: Shape, shop: Shop) -> None:
    """Rows that tell plausible wrong answers from right ones, in every variant (tests/test_dataset_edges.py).

    Ties on every named sort key, values exactly on each boundary a task names, a second year, mixed
    case, namesakes inside one group, and order lines whose `unit_price` is not the list price.
    A separate random stream, derived from the variant's seed, leaves every earlier row as it was.
    """
    rng = random.Random(shape.seed * 104_729)
    next_customer = max(c[0] for c in shop.customers) + rng.randint(1, shape.id_gap)
    next_order = max(o[0] for o in shop.orders) + rng.randint(1, shape.id_gap)
    next_product = max(p[0] for p in shop.products) + rng.randint(1, shape.id_gap)
    city = rng.choice(CITIES)

    def customer(name: str, where: str | None = city) -> int:
        nonlocal next_customer
        cid = next_customer
        email = f"{name.lower().replace(' ', '.')}.{cid}@example.test"
        shop.customers.append((cid, name, email, where, dt.date(2023, 6, 1) + dt.timedelta(days=rng.randint(0, 300))))
        next_customer += rng.randint(1, shape.id_gap)
        return cid

    def order(cid: int | None, at: dt.datetime, status: str, lines: list[tuple[int, int, Decimal]]) -> int:
        nonlocal next_order
        oid = next_order
        shop.orders.append((oid, cid, at, status))
        shop.order_items.extend((oid, pid, qty, price) for pid, qty, price in lines)
        next_order += rng.randint(1, shape.id_gap)
        return oid

    # some earlier lines were sold at a discount: unit_price is not the list price
    for index in rng.sample(range(len(shop.order_items)), len(shop.order_items) // 6):
        oid, pid, qty, price = shop.order_items[index]
        shop.order_items[index] = (oid, pid, qty, (price * Decimal("0.85")).quantize(Decimal("0.01")))
    sold = shop.products[: int(shape.products * 0.85)]

    def some_lines() -> list[tuple[int, int, Decimal]]:
        return [(p[0], rng.randint(1, 3), p[3]) for p in rng.sample(sold, rng.randint(1, 2))]

    # mixed case: "ra" only as "Ra"/"RA"; a lower-case initial; namesakes in one city (customer_id breaks the tie)
    twin_name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    for name in ("Olu BRANDT", "Emil Rahman", f"ida {rng.choice(LAST)}", twin_name, twin_name):
        customer(name)
    # order counts exactly at the "at least 6" boundary, and tied above it
    for count in (6, 6, 5):
        cid = customer(f"{rng.choice(FIRST)} {rng.choice(LAST)}", rng.choice(CITIES))
        for n in range(count):
            order(cid, dt.datetime(2024, 5 + n, 3, 10, 0), "completed" if n % 2 else "pending", some_lines())
    # "above 150": one customer whose only big order totals exactly 150.00, one at 150.01
    for total in (Decimal("150.00"), Decimal("150.01")):
        cid = customer(f"{rng.choice(FIRST)} {rng.choice(LAST)}", None)
        product = rng.choice(sold)
        order(cid, dt.datetime(2024, 6, 12, 15, 30), "completed",
              [(product[0], 2, Decimal("70.00")), (rng.choice([p for p in sold if p != product])[0], 1, total - 140)])
    # March 2024 boundaries, a leap day, and March of a second year
    regulars = sorted({o[1] for o in shop.orders if o[1] is not None})
    for at, status in ((dt.datetime(2024, 2, 29, 23, 59, 59), "completed"), (dt.datetime(2024, 3, 1), "pending"),
                       (dt.datetime(2024, 3, 31, 23, 59, 59), "completed"), (dt.datetime(2024, 4, 1), "completed"),
                       (dt.datetime(2024, 3, 15, 12, 0), "cancelled"), (dt.datetime(2025, 3, 10, 9, 0), "completed")):
        order(rng.choice(regulars), at, status, some_lines())
    # the 10th latest order shares its moment with newer ids: the cut of "the latest 10" falls inside a tie
    latest = sorted(shop.orders, key=lambda o: (o[2], o[0]), reverse=True)
    for status in ("completed", "pending"):
        order(rng.choice(regulars), latest[9][2], status, some_lines())
    # a namesake product tied at the top price of its category; a product priced exactly at the average
    top = max(shop.products, key=lambda p: (p[3], p[0]))
    category_top = max((p for p in shop.products if p[2] != top[2]), key=lambda p: p[3])
    maxed = max((p for p in shop.products if p[2] == category_top[2]), key=lambda p: p[3])
    shop.products.append((next_product, maxed[1], maxed[2], maxed[3]))
    next_product += rng.randint(1, shape.id_gap)
    total, count = sum(p[3] for p in shop.products), len(shop.products)
    cents = next(k for k in range(count + 1) if (total * 100 + 900 + k) % (count + 1) == 0)
    shop.products.append((next_product, rng.choice(CATEGORIES["office"]), "office", Decimal(900 + cents) / 100))
    next_product += rng.randint(1, shape.id_gap)
    average = (total + Decimal(900 + cents) / 100) / (count + 1)
    shop.products.append((next_product, rng.choice(CATEGORIES["books"]), "books", average.quantize(Decimal("0.01"))))


def _staff(rng: random.Random, shape: Shape, shop: Shop) -> None:
    """A management tree `org_depth` levels deep, with some managers of several people."""
    ids = _ids(rng, shape, 6 * shape.org_depth)
    levels: list[list[int]] = [[ids.pop(0)]]
    for _ in range(1, shape.org_depth):
        levels.append([ids.pop(0) for _ in range(rng.randint(1, 3)) if ids])
    names = iter(f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(10_000))
    shop.employees.append((levels[0][0], next(names), None, "Director", Decimal(9000)))
    for depth in range(1, len(levels)):
        for eid in levels[depth]:
            manager = rng.choice(levels[depth - 1])
            salary = Decimal(9000 - depth * 700 + rng.randint(0, 4) * 100)
            shop.employees.append((eid, next(names), manager, rng.choice(TITLES), salary))


SCHEMA = """
CREATE TABLE customers (
    id           integer PRIMARY KEY,
    name         text    NOT NULL,
    email        text    NOT NULL UNIQUE,
    city         text,
    signed_up_on date    NOT NULL
);
CREATE TABLE products (
    id       integer PRIMARY KEY,
    name     text    NOT NULL,
    category text    NOT NULL,
    price    numeric(10, 2) NOT NULL CHECK (price > 0)
);
CREATE TABLE orders (
    id          integer PRIMARY KEY,
    customer_id integer REFERENCES customers (id),
    ordered_at  timestamp NOT NULL,
    status      text NOT NULL CHECK (status IN ('completed', 'pending', 'cancelled'))
);
CREATE TABLE order_items (
    order_id   integer NOT NULL REFERENCES orders (id),
    product_id integer NOT NULL REFERENCES products (id),
    quantity   integer NOT NULL CHECK (quantity > 0),
    unit_price numeric(10, 2) NOT NULL,
    PRIMARY KEY (order_id, product_id)
);
CREATE TABLE employees (
    id         integer PRIMARY KEY,
    name       text NOT NULL,
    manager_id integer REFERENCES employees (id),
    title      text NOT NULL,
    salary     numeric(10, 2) NOT NULL
);
"""


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (int, Decimal)):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _insert(table: str, rows: list[tuple[object, ...]]) -> str:
    values = ",\n".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in rows)
    return f"INSERT INTO {table} VALUES\n{values};\n"


def postgres_sql(variant: str) -> str:
    """The whole dataset as SQL: schema, then rows (parents before children, for the foreign keys)."""
    shop = generate(variant)
    managers_first = sorted(shop.employees, key=lambda e: e[2] is not None)
    return "\n".join([
        SCHEMA,
        _insert("customers", list(shop.customers)),
        _insert("products", list(shop.products)),
        _insert("orders", list(shop.orders)),
        _insert("order_items", list(shop.order_items)),
        # employees reference their manager: insert level by level
        "".join(_insert("employees", [e]) for e in _by_level(managers_first)),
        "ANALYZE;",
    ])


Employee = tuple[int, str, int | None, str, Decimal]


def _by_level(employees: list[Employee]) -> list[Employee]:
    """Managers before the people they manage, as the foreign key needs."""
    placed: set[int] = set()
    ordered = []
    remaining = list(employees)
    while remaining:
        ready = [e for e in remaining if e[2] is None or e[2] in placed]
        ordered.extend(ready)
        placed.update(e[0] for e in ready)
        remaining = [e for e in remaining if e[0] not in placed]
    return ordered
