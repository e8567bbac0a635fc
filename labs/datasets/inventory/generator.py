"""The `inventory` dataset: suppliers, products, warehouses, stock, a delivery batch, a reorder list.

Made for labs that change data (DML, triggers) and are graded by the state they leave. `public` is
what learners explore; `hidden` uses another seed, ids far from 1 with gaps, shuffled insert order
and more of the rows that expose the usual mistakes: discontinued products with and without stock
(and with only empty stock rows), products without a supplier, suppliers without a country, a
delivery batch where one product arrives at one warehouse several times or at a warehouse where it
has no stock row yet, and a reorder list that already holds some of the pairs that are low.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

SUPPLIER_NAMES = ["Fjord Tools", "Baltic Kitchenware", "Tejo Paper", "Vistula Toys", "Nordlys Garden",
                  "Douro Home", "Saare Crafts", "Mazury Goods", "Lofoten Supply", "Alfama Works"]
COUNTRIES = ["Norway", "Portugal", "Estonia", "Poland"]
CATALOGUE = {
    "garden": ["Trowel", "Seed Tray", "Hose Reel", "Pruner", "Watering Can", "Rake"],
    "kitchen": ["Kettle", "Whisk", "Ladle", "Teapot", "Skillet", "Grater", "Colander"],
    "office": ["Stapler", "Desk Lamp", "Notebook", "Fountain Pen", "Paper Tray", "Hole Punch"],
    "toys": ["Kite", "Yo-yo", "Puzzle", "Spinning Top", "Marble Run", "Jump Rope"],
}
CITIES = ["Bergen", "Porto", "Tartu", "Gdansk", "Tromso"]


@dataclass(frozen=True)
class Shape:
    seed: int
    suppliers: int
    products: int
    warehouses: int
    deliveries: int
    first_id: int
    id_gap: int  # consecutive ids differ by 1..id_gap
    discontinued_ratio: float
    shuffle: bool


VARIANTS = {
    "public": Shape(seed=11, suppliers=6, products=24, warehouses=3, deliveries=12, first_id=1, id_gap=1,
                    discontinued_ratio=0.2, shuffle=False),
    "hidden": Shape(seed=12, suppliers=9, products=25, warehouses=4, deliveries=19, first_id=500, id_gap=9,
                    discontinued_ratio=0.3, shuffle=True),
}

Supplier = tuple[int, str, str | None]
Product = tuple[int, str, str, str, Decimal, int | None, int, bool]
Warehouse = tuple[int, str, str]
Stock = tuple[int, int, int]
Delivery = tuple[int, int, int, int, dt.date]
Reorder = tuple[int, int, int]


@dataclass
class Inventory:
    suppliers: list[Supplier] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    warehouses: list[Warehouse] = field(default_factory=list)
    stock: list[Stock] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    reorder_list: list[Reorder] = field(default_factory=list)


def _ids(rng: random.Random, shape: Shape, count: int) -> list[int]:
    ids, current = [], shape.first_id + rng.randint(0, shape.id_gap - 1)
    for _ in range(count):
        ids.append(current)
        current += rng.randint(1, shape.id_gap)
    return ids


def generate(variant: str) -> Inventory:
    shape = VARIANTS[variant]
    rng = random.Random(shape.seed)
    inv = Inventory()
    # two Norwegian suppliers at least, one supplier without a country
    countries: list[str | None] = ["Norway", "Norway", None]
    countries += [rng.choice(COUNTRIES) for _ in range(shape.suppliers - len(countries))]
    rng.shuffle(countries)
    names = rng.sample(SUPPLIER_NAMES, shape.suppliers)
    for sid, name, country in zip(_ids(rng, shape, shape.suppliers), names, countries, strict=True):
        inv.suppliers.append((sid, name, country))
    catalogue = [(cat, item) for cat, items in CATALOGUE.items() for item in items]
    rng.shuffle(catalogue)
    for number, (pid, (category, item)) in enumerate(zip(_ids(rng, shape, shape.products), catalogue, strict=False)):
        price = Decimal(rng.choice([3, 7, 11, 16, 22, 29, 45])) + Decimal(rng.choice(["0.00", "0.49", "0.95"]))
        supplier = None if number % 7 == 3 else rng.choice(inv.suppliers)[0]
        sku = f"{category[:3].upper()}-{pid:05d}"
        discontinued = rng.random() < shape.discontinued_ratio
        inv.products.append((pid, sku, item, category, price, supplier, rng.choice([0, 5, 10, 15, 20]),
                             discontinued))
    for wid, city in zip(_ids(rng, shape, shape.warehouses), rng.sample(CITIES, shape.warehouses), strict=True):
        inv.warehouses.append((wid, f"{city} depot", city))
    _stock(rng, inv)
    _deliveries(rng, shape, inv)
    _reorder_list(rng, inv)
    _edges(shape, inv)
    if shape.shuffle:
        for rows in (inv.suppliers, inv.products, inv.warehouses, inv.stock, inv.deliveries, inv.reorder_list):
            rng.shuffle(rows)
    return inv


def _stock(rng: random.Random, inv: Inventory) -> None:
    """Stock rows per product; discontinued ones come in three kinds: stocked, empty rows only, no rows."""
    warehouse_ids = [w[0] for w in inv.warehouses]
    discontinued = [p for p in inv.products if p[7]]
    for position, product in enumerate(inv.products):
        kind = discontinued.index(product) % 3 if product[7] else None
        if kind == 2 or (kind is None and position % 11 == 5):
            continue  # no stock rows at all (also some active products: they appear in views with 0)
        places = rng.sample(warehouse_ids, rng.randint(1, len(warehouse_ids)))
        for wid in places:
            qty = 0 if kind == 1 else rng.choice([0, 2, 4, 8, 12, 18, 25, 40])
            inv.stock.append((wid, product[0], qty))
        if kind == 0 and all(s[2] == 0 for s in inv.stock if s[1] == product[0]):
            wid, pid, _ = inv.stock.pop()
            inv.stock.append((wid, pid, 3))  # a "stocked" discontinued product really holds stock


def _deliveries(rng: random.Random, shape: Shape, inv: Inventory) -> None:
    """A batch for active products: some to existing stock rows, some new pairs, some pairs repeated."""
    active = [p[0] for p in inv.products if not p[7]]
    warehouse_ids = [w[0] for w in inv.warehouses]
    existing = [(s[0], s[1]) for s in inv.stock if s[1] in active]
    taken = set(existing)
    fresh = [(w, p) for w in warehouse_ids for p in active if (w, p) not in taken]
    pairs = rng.sample(existing, shape.deliveries // 2) + rng.sample(fresh, shape.deliveries // 4)
    pairs += [rng.choice(pairs) for _ in range(shape.deliveries - len(pairs))]  # the same pair again
    day = dt.date(2024, 9, 2)
    for did, (wid, pid) in zip(_ids(rng, shape, len(pairs)), pairs, strict=True):
        inv.deliveries.append((did, wid, pid, rng.randint(1, 30), day + dt.timedelta(days=rng.randint(0, 4))))


def _edges(shape: Shape, inv: Inventory) -> None:
    """Rows that tell plausible wrong answers apart, in every variant (tests/test_dataset_edges.py).

    A pair delivered twice with the same quantity (a UNION or DISTINCT drops one), stock exactly at
    the reorder level (not low) and one below it, and a Norwegian price whose 5 % raise ends in half
    a cent (rounding, not truncation). A random stream derived from the variant's seed.
    """
    rng = random.Random(shape.seed * 104_729)
    repeated = Counter((d[1], d[2]) for d in inv.deliveries)
    wid, pid = rng.choice(sorted(pair for pair, n in repeated.items() if n >= 2))
    twin = next(d for d in inv.deliveries if (d[1], d[2]) == (wid, pid))
    inv.deliveries.append((max(d[0] for d in inv.deliveries) + rng.randint(1, shape.id_gap), wid, pid, twin[3],
                           twin[4]))
    level = {p[0]: p[6] for p in inv.products if not p[7] and p[6] > 0}
    rows = [i for i, s in enumerate(inv.stock) if s[1] in level]
    at, below = rng.sample(rows, 2)
    inv.stock[at] = (inv.stock[at][0], inv.stock[at][1], level[inv.stock[at][1]])
    inv.stock[below] = (inv.stock[below][0], inv.stock[below][1], level[inv.stock[below][1]] - 1)
    norwegian = {s[0] for s in inv.suppliers if s[2] == "Norway"}
    index = next(i for i, p in enumerate(inv.products) if p[5] in norwegian and not p[7])
    pid, sku, name, category, _, supplier, reorder, discontinued = inv.products[index]
    inv.products[index] = (pid, sku, name, category, Decimal("3.10"), supplier, reorder, discontinued)


def _reorder_list(rng: random.Random, inv: Inventory) -> None:
    """Some low pairs are already listed, with an older quantity that must stay as it is."""
    level = {p[0]: p[6] for p in inv.products if not p[7]}
    low = [(s[0], s[1]) for s in inv.stock if s[1] in level and s[2] < level[s[1]]]
    for wid, pid in rng.sample(low, max(2, len(low) // 4)):
        inv.reorder_list.append((wid, pid, level[pid]))


SCHEMA = """
CREATE TABLE suppliers (
    id      integer PRIMARY KEY,
    name    text NOT NULL,
    country text
);
CREATE TABLE products (
    id            integer PRIMARY KEY,
    sku           text NOT NULL UNIQUE,
    name          text NOT NULL,
    category      text NOT NULL,
    price         numeric(10, 2) NOT NULL CHECK (price > 0),
    supplier_id   integer REFERENCES suppliers (id),
    reorder_level integer NOT NULL CHECK (reorder_level >= 0),
    discontinued  boolean NOT NULL DEFAULT false
);
CREATE TABLE warehouses (
    id   integer PRIMARY KEY,
    name text NOT NULL,
    city text NOT NULL
);
CREATE TABLE stock (
    warehouse_id integer NOT NULL REFERENCES warehouses (id),
    product_id   integer NOT NULL REFERENCES products (id),
    qty          integer NOT NULL CHECK (qty >= 0),
    PRIMARY KEY (warehouse_id, product_id)
);
CREATE TABLE deliveries (
    id           integer PRIMARY KEY,
    warehouse_id integer NOT NULL REFERENCES warehouses (id),
    product_id   integer NOT NULL REFERENCES products (id),
    qty          integer NOT NULL CHECK (qty > 0),
    delivered_on date NOT NULL
);
CREATE TABLE reorder_list (
    warehouse_id integer NOT NULL,
    product_id   integer NOT NULL,
    qty_needed   integer NOT NULL
);
CREATE TABLE price_audit (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id integer NOT NULL,
    old_price  numeric(10, 2),
    new_price  numeric(10, 2),
    action     text NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
);
"""


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _insert(table: str, rows: list[tuple[object, ...]]) -> str:
    if not rows:
        return ""
    values = ",\n".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in rows)
    return f"INSERT INTO {table} VALUES\n{values};\n"


def postgres_sql(variant: str) -> str:
    """The whole dataset as SQL: schema, then rows (parents before children, for the foreign keys)."""
    inv = generate(variant)
    return "\n".join([
        SCHEMA,
        _insert("suppliers", list(inv.suppliers)),
        _insert("products", list(inv.products)),
        _insert("warehouses", list(inv.warehouses)),
        _insert("stock", list(inv.stock)),
        _insert("deliveries", list(inv.deliveries)),
        _insert("reorder_list", list(inv.reorder_list)),
        "ANALYZE;",
    ])
