"""The `docstore` dataset for the MongoDB track: customers, products, orders, accounts, as documents.

`mongo_collections(variant)` returns {collection: [documents]}. `public` is small and regular;
`hidden` uses another seed, ids far from 1 with gaps, more customers without orders, orders whose
customer no longer exists, orders without items, ties in totals, products whose ratings satisfy two
conditions only across different array elements, missing optional fields, and shuffled insert order.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from bson.int64 import Int64

FIRST = ["Ada", "Bruno", "Chen", "Dara", "Emil", "Farah", "Goran", "Hana", "Ivo", "Jun", "Kemal", "Lena",
         "Mira", "Nils", "Olu", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Vera", "Wes", "Yara"]
LAST = ["Abara", "Brandt", "Costa", "Dvorak", "Eze", "Fontaine", "Grieg", "Haddad", "Ilves", "Jansen",
        "Kowal", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Quist", "Rahman", "Silva", "Tanaka"]
CITIES = ["Lisbon", "Oslo", "Tallinn", "Lyon", "Porto", "Gdansk", "Utrecht", "Graz"]
CATALOG = {
    "books": ["Atlas", "Cookbook", "Field Guide", "Novel", "Poetry Reader"],
    "garden": ["Trowel", "Seed Tray", "Hose Reel", "Pruner"],
    "kitchen": ["Kettle", "Whisk", "Ladle", "Teapot", "Skillet"],
    "office": ["Stapler", "Desk Lamp", "Notebook", "Fountain Pen"],
    "toys": ["Kite", "Yo-yo", "Puzzle", "Marble Run"],
}
TAGS = ["gift", "eco", "sale", "new", "bestseller", "handmade"]
STATUSES = ["completed", "completed", "completed", "completed", "pending", "cancelled"]

Document = dict[str, Any]


@dataclass(frozen=True)
class Shape:
    seed: int
    customers: int
    orders: int
    first_id: int
    id_gap: int
    idle_customers: int  # customers who never order
    orphan_orders: int  # orders whose customer_id matches no customer
    empty_orders: int  # orders without items
    missing_city: float
    accounts: int
    first_day: dt.datetime  # orders span about a year from here: the hidden range is not inside the public one
    shuffle: bool


VARIANTS = {
    "public": Shape(seed=11, customers=24, orders=90, first_id=1, id_gap=1, idle_customers=3, orphan_orders=2,
                    empty_orders=2, missing_city=0.1, accounts=8, first_day=dt.datetime(2024, 1, 1, 9, 0),
                    shuffle=False),
    "hidden": Shape(seed=12, customers=37, orders=140, first_id=5000, id_gap=9, idle_customers=7, orphan_orders=5,
                    empty_orders=4, missing_city=0.25, accounts=11,
                    first_day=dt.datetime(2023, 9, 1, 9, 0), shuffle=True),
}


def _ids(rng: random.Random, shape: Shape, count: int, offset: int = 0) -> list[int]:
    ids, current = [], shape.first_id + offset + rng.randint(0, shape.id_gap - 1)
    for _ in range(count):
        ids.append(current)
        current += rng.randint(1, shape.id_gap)
    return ids


def _customers(rng: random.Random, shape: Shape) -> list[Document]:
    documents = []
    for cid in _ids(rng, shape, shape.customers):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        document: Document = {
            "_id": cid,
            "name": f"{first} {last}",
            "email": f"{first.lower()}.{last.lower()}{cid}@example.test",
            "tier": rng.choice(["basic", "basic", "gold"]),
            "joined": dt.datetime(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 500)),
            "tags": rng.sample(["newsletter", "b2b", "vip", "returns"], rng.randint(0, 2)),
        }
        if rng.random() >= shape.missing_city:
            document["city"] = rng.choice(CITIES)
        elif cid % 2 == 0:  # an unknown city is sometimes stored as null, sometimes left out
            document["city"] = None
        documents.append(document)
    return documents


def _ratings(rng: random.Random, trap: bool) -> list[Document]:
    if trap:  # a 5 that is not verified beside a verified 3: only two conditions on different elements hold
        return [{"score": 5, "verified": False}, {"score": 3, "verified": True}]
    return [{"score": rng.randint(1, 5), "verified": rng.random() < 0.6} for _ in range(rng.randint(0, 4))]


def _products(rng: random.Random, shape: Shape) -> list[Document]:
    names = [(category, name) for category, items in CATALOG.items() for name in items]
    documents = []
    for number, (pid, (category, name)) in enumerate(zip(_ids(rng, shape, len(names), 300), names, strict=True)):
        document: Document = {
            "_id": pid,
            "sku": f"{category[:3].upper()}-{pid:05d}",
            "name": name,
            "category": category,
            "price": round(rng.randint(300, 6000) / 100, 2),
            "stock": rng.choice([0, 0, 3, 8, 12, 25, 40]),
            "tags": rng.sample(TAGS, rng.randint(0, 3)),
            "ratings": _ratings(rng, trap=number % 6 == 1),
            "sizes": [{"size": s, "stock": rng.randint(0, 9)} for s in rng.sample(["S", "M", "L", "XL"], 2)],
        }
        if number % 7 == 3:
            document["discontinued"] = True
        elif number % 7 == 5:
            document["discontinued"] = False
        documents.append(document)
    return documents


def _orders(rng: random.Random, shape: Shape, customers: list[Document], products: list[Document]) -> list[Document]:
    active = [c["_id"] for c in customers[: len(customers) - shape.idle_customers]]
    missing = [max(c["_id"] for c in customers) + 100 + i for i in range(shape.orphan_orders)]
    documents = []
    start = shape.first_day
    for number, oid in enumerate(_ids(rng, shape, shape.orders, 100000)):
        customer = missing[number % len(missing)] if number < shape.orphan_orders else rng.choice(active)
        items: list[Document] = []
        if number >= shape.orphan_orders + shape.empty_orders:
            for product in rng.sample(products, rng.randint(1, 4)):
                items.append({"product_id": product["_id"], "qty": rng.randint(1, 5), "price": product["price"]})
        documents.append({
            "_id": oid,
            "customer_id": customer,
            "ordered_at": start + dt.timedelta(hours=6 * rng.randint(0, 1400)),
            "status": rng.choice(STATUSES),
            "items": items,
            "shipping": {"city": rng.choice(CITIES), "express": rng.random() < 0.3},
        })
    return documents


def _accounts(rng: random.Random, shape: Shape, customers: list[Document]) -> list[Document]:
    owners = rng.sample(customers, shape.accounts)
    return [{"_id": f"ACC-{shape.first_id + i * shape.id_gap:05d}", "owner": owner["name"],
             "balance": rng.randint(0, 50) * 1000 + (rng.randint(0, 99) if shape.shuffle else 0)}
            for i, owner in enumerate(owners)]


DEFECTS = [
    ("name", None, "drop"),  # no name
    ("name", None, "set"),  # name is null
    ("category", "cars", "set"),  # not one of the categories
    ("price", "12.50", "set"),  # a price stored as text
    ("price", -4.0, "set"),  # a negative price
    ("price", None, "drop"),  # no price
    ("stock", 2.5, "set"),  # a fractional stock
    ("stock", -1, "set"),  # a negative stock
    ("tags", "gift", "set"),  # tags as one string instead of an array
]


def _legacy_products(shape: Shape, products: list[Document]) -> list[Document]:
    """Old product documents imported before validation existed: most fine, some breaking one rule.

    Drawn from a separate random stream so the other collections do not change when this one does.
    """
    rng = random.Random(shape.seed * 1000 + 7)
    chosen = rng.sample(products, 14 if shape.shuffle else 12)
    defects = rng.sample(DEFECTS, 7 if shape.shuffle else 5)
    documents = []
    for number, product in enumerate(chosen):
        document = {k: v for k, v in product.items() if k in ("name", "category", "price", "stock", "tags")}
        document["_id"] = f"L-{product['_id']}"
        if number < len(defects):
            field, value, how = defects[number]
            if how == "drop":
                document.pop(field, None)
            else:
                document[field] = value
        documents.append(document)
    if shape.shuffle:
        rng.shuffle(documents)
    return documents


def _edges(shape: Shape, collections: dict[str, list[Document]]) -> None:
    """Documents that tell plausible wrong answers apart, in every variant (tests/test_dataset_edges.py).

    Prices stored as int and long beside doubles, a price exactly on the "below 20" boundary, a tie at
    the cut of "the three most expensive sale items" (inserted before the item it ties with, so natural
    order and `_id` order differ), two orders of one customer at the same moment, orders on the last and
    first second of a month and on both sides of 1 July 2024, an account balance exactly at 10000 and
    tied balances below it, and valid legacy documents without the optional `tags` and with an int price.
    A random stream derived from the variant's seed leaves the documents drawn before as they were.
    """
    rng = random.Random(shape.seed * 104_729)
    products, orders, accounts = collections["products"], collections["orders"], collections["accounts"]
    next_product = max(p["_id"] for p in products) + rng.randint(1, shape.id_gap)
    for document in rng.sample([p for p in products if p["category"] in ("kitchen", "garden")], 2):
        document["price"] = 20  # an int, exactly on the boundary
    for document in rng.sample([p for p in products if isinstance(p["price"], float)], 3):
        document["price"] = Int64(round(document["price"]))  # a long
    kitchen = next(p for p in products if p["category"] == "kitchen")
    products.append({**kitchen, "_id": next_product, "sku": f"KIT-{next_product:05d}", "price": 20, "stock": 5,
                     "tags": ["gift"], "ratings": [], "sizes": []})
    next_product += rng.randint(1, shape.id_gap)
    on_sale = sorted((p for p in products if "sale" in p["tags"] and not p.get("discontinued")),
                     key=lambda p: (-float(p["price"]), p["_id"]))
    third = on_sale[2]
    products.insert(0, {**third, "_id": next_product, "sku": f"{third['sku'][:3]}-{next_product:05d}",
                        "name": third["name"], "ratings": [], "sizes": []})
    customers = sorted({o["customer_id"] for o in orders if o["items"]})
    next_order = max(o["_id"] for o in orders) + rng.randint(1, shape.id_gap)
    who = rng.choice(customers)
    latest = max((o for o in orders if o["customer_id"] == who), key=lambda o: o["ordered_at"])
    moments = [latest["ordered_at"], dt.datetime(2024, 3, 31, 23, 59, 59), dt.datetime(2024, 4, 1),
               dt.datetime(2024, 6, 30, 23, 59, 59), dt.datetime(2024, 7, 1)]
    for number, moment in enumerate(moments):
        template = rng.choice([o for o in orders if o["items"]])
        orders.append({**template, "_id": next_order, "customer_id": who if number == 0 else template["customer_id"],
                       "ordered_at": moment, "status": "completed" if number < 3 else "pending",
                       "items": [dict(item) for item in template["items"]], "shipping": dict(template["shipping"])})
        next_order += rng.randint(1, shape.id_gap)
    accounts[0]["balance"] = 10000
    poorest = sorted(accounts[1:], key=lambda a: (a["balance"], a["_id"]))
    for account in poorest[:2]:
        account["balance"] = min(poorest[0]["balance"], 9500)
    legacy = [d for d in collections["legacy_products"] if isinstance(d.get("tags"), list)
              and isinstance(d.get("name"), str) and d.get("category") in CATALOG and isinstance(d.get("price"), float)
              and isinstance(d.get("stock"), int) and d["stock"] >= 0 and d["price"] >= 0]
    legacy[-1].pop("tags")
    legacy[-2]["price"] = int(legacy[-2]["price"]) + 1


def mongo_collections(variant: str) -> dict[str, list[Document]]:
    shape = VARIANTS[variant]
    rng = random.Random(shape.seed)
    customers = _customers(rng, shape)
    products = _products(rng, shape)
    orders = _orders(rng, shape, customers, products)
    collections = {
        "customers": customers,
        "products": products,
        "orders": orders,
        "accounts": _accounts(rng, shape, customers),
        "transfers": [],
        "legacy_products": _legacy_products(shape, products),
    }
    if shape.shuffle:
        for documents in collections.values():
            rng.shuffle(documents)
    _edges(shape, collections)  # after the shuffle: the tie it inserts first stays first
    return collections
