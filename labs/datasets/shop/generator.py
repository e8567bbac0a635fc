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
    _tied_orders(shape, shop)
    if shape.shuffle:
        for rows in (shop.customers, shop.products, shop.orders, shop.order_items):
            rng.shuffle(rows)  # type: ignore[arg-type]
    return shop


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
