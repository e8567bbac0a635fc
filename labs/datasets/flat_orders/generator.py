"""The `flat_orders` dataset: one denormalised table, as a spreadsheet export of order lines.

Every row repeats the order's date and customer and the product's name and price. The data obey
the dependencies a normalised schema rests on (email -> name, city; sku -> name, price;
order_id -> date, customer), and carry the traps: customers without a city (NULL), two customers
with the same name, two products with the same name. `hidden` has more of each, other ids and
skus, and rows in shuffled order.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

FIRST = ["Ada", "Bruno", "Chen", "Dara", "Emil", "Farah", "Goran", "Hana", "Ivo", "Jun", "Kemal", "Lena",
         "Mira", "Nils", "Olu", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Vera", "Wes", "Yara", "Zeno"]
LAST = ["Abara", "Brandt", "Costa", "Dvorak", "Eze", "Fontaine", "Grieg", "Haddad", "Ilves", "Jansen",
        "Kowal", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Quist", "Rahman", "Silva", "Tanaka"]
CITIES = ["Lisbon", "Oslo", "Tallinn", "Lyon", "Porto", "Gdansk", "Utrecht", "Graz"]
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


VARIANTS = {
    "public": Shape(seed=21, customers=24, products=14, orders=60, first_order=1001, sku_prefix="SKU-",
                    no_city=3, same_names=1, same_products=1, shuffle=False),
    "hidden": Shape(seed=22, customers=37, products=17, orders=95, first_order=70500, sku_prefix="P",
                    no_city=9, same_names=3, same_products=2, shuffle=True),
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

Row = tuple[int, dt.datetime, str, str, str | None, str, str, Decimal, int]


def rows(variant: str) -> list[Row]:
    shape = VARIANTS[variant]
    rng = random.Random(shape.seed)
    names = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(shape.customers)]
    for i in range(shape.same_names):
        names[-1 - i] = names[i]
    customers = []
    for i, name in enumerate(names):
        city = None if i % (shape.customers // shape.no_city) == 1 else rng.choice(CITIES)
        email = f"{name.lower().replace(' ', '.')}.{rng.randint(10, 99)}{i}@example.test"
        customers.append((email, name, city))
    goods = rng.sample(GOODS, shape.products - shape.same_products)
    goods += goods[: shape.same_products]
    products = [(f"{shape.sku_prefix}{rng.randint(100, 999)}{i:02d}", good,
                 Decimal(rng.choice([4, 9, 12, 15, 19, 24, 35])) + Decimal(rng.choice(["0.00", "0.50", "0.99"])))
                for i, good in enumerate(goods)]
    out: list[Row] = []
    order_id = shape.first_order
    start = dt.datetime(2024, 1, 1, 8, 0)
    for _ in range(shape.orders):
        order_id += rng.randint(1, 3)
        email, name, city = rng.choice(customers)
        at = start + dt.timedelta(minutes=30 * rng.randint(0, 17000))
        for sku, good, price in rng.sample(products, rng.randint(1, 4)):
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
