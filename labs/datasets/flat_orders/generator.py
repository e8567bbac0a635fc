"""The `flat_orders` dataset: one denormalised table, as a spreadsheet export of order lines.

Every row repeats the order's date and customer and the product's name and price. The data obey
the dependencies a normalised schema rests on (email -> name, city; sku -> name, price;
order_id -> date, customer), and carry the traps, by construction in both variants: customers
without a city (NULL), two customers with the same name and the same city (only the email tells
them apart), two products with the same name and different prices. Every customer and every
product has at least one order line, so each trap shows in the table; order sizes cycle from one
line to four. `hidden` has more of each, other ids, skus and dates, and rows in shuffled order.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

FIRST = ["Ada", "Bruno", "Chen", "Dara", "Emil", "Farah", "Goran", "Hana", "Ivo", "Jun", "Kemal", "Lena",
         "Mira", "Nils", "Olu", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Vera", "Wes", "Yara", "Zeno"]
LAST = ["Abara", "Brandt", "Costa", "Dvorak", "Eze", "Fontaine", "Grieg", "Haddad", "Ilves", "Jansen",
        "Kowal", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Quist", "Rahman", "Silva", "Tanaka"]
CITIES = ["Lisbon", "Oslo", "Tallinn", "Lyon", "Porto", "Gdansk", "Utrecht", "Graz"]
PRICES = [Decimal(whole) + Decimal(cents) for whole in (4, 9, 12, 15, 19, 24, 35) for cents in ("0.00", "0.50", "0.99")]
GOODS = ["Kettle", "Whisk", "Teapot", "Trowel", "Seed Tray", "Pruner", "Atlas", "Novel", "Kite", "Yo-yo",
         "Stapler", "Desk Lamp", "Notebook", "Fountain Pen", "Lantern", "Skillet", "Ladle", "Puzzle"]


@dataclass(frozen=True)
class Shape:
    seed: int
    customers: int
    products: int
    orders: int
    first_order: int
    sku_prefix: str
    no_city: int
    same_names: int
    same_products: int
    shuffle: bool
    start: dt.datetime


VARIANTS = {
    "public": Shape(seed=21, customers=24, products=14, orders=60, first_order=1001, sku_prefix="SKU-",
                    no_city=3, same_names=1, same_products=1, shuffle=False, start=dt.datetime(2024, 1, 1, 8, 0)),
    "hidden": Shape(seed=22, customers=37, products=17, orders=95, first_order=70500, sku_prefix="P",
                    no_city=9, same_names=3, same_products=2, shuffle=True, start=dt.datetime(2023, 4, 3, 9, 30)),
}

SCHEMA = """
CREATE TABLE orders_flat (
    order_id       integer        NOT NULL,
    ordered_at     timestamp      NOT NULL,
    customer_email text           NOT NULL,
    customer_name  text           NOT NULL,
    customer_city  text,
    product_sku    text           NOT NULL,
    product_name   text           NOT NULL,
    unit_price     numeric(10, 2) NOT NULL,
    quantity       integer        NOT NULL
);
"""

T = TypeVar("T")
Row = tuple[int, dt.datetime, str, str, str | None, str, str, Decimal, int]


def customers(shape: Shape, rng: random.Random) -> list[tuple[str, str, str | None]]:
    """(email, name, city). The last `same_names` customers take the names of the first ones; the first
    pair shares the city too (a customer is its email, not its name and city)."""
    names = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(shape.customers)]
    cities = [None if i % (shape.customers // shape.no_city) == 1 else rng.choice(CITIES)
              for i in range(shape.customers)]
    for i in range(shape.same_names):
        names[-1 - i] = names[i]
    cities[-1] = cities[0]  # never NULL: the NULL cities are at i % step == 1
    return [(f"{name.lower().replace(' ', '.')}.{rng.randint(10, 99)}{i}@example.test", name, city)
            for i, (name, city) in enumerate(zip(names, cities, strict=True))]


def products(shape: Shape, rng: random.Random) -> list[tuple[str, str, Decimal]]:
    """(sku, name, unit_price). The last `same_products` repeat the names of the first ones, at other prices."""
    goods = rng.sample(GOODS, shape.products - shape.same_products)
    prices = [rng.choice(PRICES) for _ in goods]
    goods += goods[: shape.same_products]
    prices += [rng.choice([p for p in PRICES if p != price]) for price in prices[: shape.same_products]]
    return [(f"{shape.sku_prefix}{rng.randint(100, 999)}{i:02d}", good, price)
            for i, (good, price) in enumerate(zip(goods, prices, strict=True))]


def everyone_then_anyone(rng: random.Random, items: list[T], count: int) -> list[T]:
    """`count` picks in random order, every item at least once (count >= len(items))."""
    picks = items + [rng.choice(items) for _ in range(count - len(items))]
    rng.shuffle(picks)
    return picks


def rows(variant: str) -> list[Row]:
    shape = VARIANTS[variant]
    rng = random.Random(shape.seed)
    people, goods = customers(shape, rng), products(shape, rng)
    buyers = everyone_then_anyone(rng, people, shape.orders)
    first_lines = everyone_then_anyone(rng, goods, shape.orders)
    out: list[Row] = []
    order_id = shape.first_order
    for n, ((email, name, city), first) in enumerate(zip(buyers, first_lines, strict=True)):
        order_id += rng.randint(1, 3)
        at = shape.start + dt.timedelta(minutes=30 * rng.randint(0, 17000))
        others = rng.sample([g for g in goods if g != first], n % 4)  # one to four lines, at most one per sku
        for sku, good, price in [first, *others]:
            out.append((order_id, at, email, name, city, sku, good, price, rng.randint(1, 5)))
    if shape.shuffle:
        rng.shuffle(out)
    return out


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (int, Decimal)):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def postgres_sql(variant: str) -> str:
    values = ",\n".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in rows(variant))
    return f"{SCHEMA}\nINSERT INTO orders_flat VALUES\n{values};\nANALYZE;\n"
