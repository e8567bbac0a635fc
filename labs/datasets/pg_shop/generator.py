"""The `pg_shop` dataset for pg-roles-privileges: a `shop` schema (not `public`) with customers,
orders and an audit log, whose ids come from sequences (serial columns).

Privileges are what the lab grades, so the data only has to be there and differ between variants:
`hidden` has other ids (the sequences start far from 1), more rows, more customers without a city
(NULL) and mixed-case emails, so counts and reads through each role differ from the public ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

FIRST = ["Ada", "Bruno", "Chen", "Dara", "Emil", "Farah", "Goran", "Hana", "Ivo", "Jun", "Lena", "Mira"]
LAST = ["Abara", "Brandt", "Costa", "Dvorak", "Eze", "Grieg", "Haddad", "Jansen", "Novak", "Silva"]
CITIES = ["Lisbon", "Oslo", "Tallinn", "Lyon", "Porto", "Graz"]
STATUSES = ["paid", "paid", "paid", "pending", "shipped", "cancelled"]


@dataclass(frozen=True)
class Shape:
    seed: int
    customers: int
    orders: int
    first_id: int
    no_city: float  # share of customers whose city is NULL


VARIANTS = {
    "public": Shape(seed=41, customers=12, orders=30, first_id=1, no_city=0.2),
    "hidden": Shape(seed=42, customers=19, orders=47, first_id=7001, no_city=0.35),
}

SCHEMA = """
CREATE SCHEMA shop;
CREATE TABLE shop.customers (
    id serial PRIMARY KEY,
    name text NOT NULL,
    email text NOT NULL,
    city text
);
CREATE TABLE shop.orders (
    id bigserial PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES shop.customers (id),
    status text NOT NULL,
    total numeric(10, 2) NOT NULL
);
CREATE TABLE shop.audit_log (
    id serial PRIMARY KEY,
    at timestamp NOT NULL DEFAULT now(),
    message text NOT NULL
);
"""


Row = tuple[object, ...]


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (int, Decimal)):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _values(rows: list[Row]) -> str:
    return ",\n".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in rows)


def tables(variant: str) -> tuple[list[Row], list[Row], list[Row]]:
    """(customers, orders, audit_log) rows; customers 1 and 2 (counted from 0) have no city and a city."""
    shape = VARIANTS[variant]
    rng = random.Random(shape.seed)
    customers: list[Row] = []
    for number in range(shape.customers):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}{number}@Example.test" if number % 3 == 0 else f"{first.lower()}{number}@example.test"
        city = None if rng.random() < shape.no_city else rng.choice(CITIES)
        if number in (1, 2):
            city = None if number == 1 else CITIES[number]
        customers.append((shape.first_id + number, f"{first} {last}", email, city))
    orders: list[Row] = [(shape.first_id * 10 + number, rng.choice(customers)[0], rng.choice(STATUSES),
                          Decimal(rng.randint(500, 40000)) / 100) for number in range(shape.orders)]
    log: list[Row] = [(shape.first_id + number, f"seeded order {order[0]}") for number, order in enumerate(orders[:5])]
    return customers, orders, log


def postgres_sql(variant: str) -> str:
    customers, orders, log = tables(variant)
    return f"""{SCHEMA}
INSERT INTO shop.customers (id, name, email, city) VALUES
{_values(customers)};
INSERT INTO shop.orders (id, customer_id, status, total) VALUES
{_values(orders)};
INSERT INTO shop.audit_log (id, message) VALUES
{_values(log)};
SELECT setval('shop.customers_id_seq', (SELECT max(id) FROM shop.customers));
SELECT setval('shop.orders_id_seq', (SELECT max(id) FROM shop.orders));
SELECT setval('shop.audit_log_id_seq', (SELECT max(id) FROM shop.audit_log));
ANALYZE;
"""
