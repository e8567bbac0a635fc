"""The `pg_products` dataset for pg-jsonb: a product catalogue whose attributes are JSONB.

`products (id, name, attrs jsonb)`: tens of thousands of regular products made by SQL (so an index
matters), then a few hand-made ones that carry the edge cases in both variants: stock stored as
9, 10, 11 and 100 (text order is not numeric order), stock missing or JSON null, a brand in another
case, variants with and without sizes out of stock, and the rare `discontinued` key. Fixed rows
(whatever the seed) also give a tie on a low stock (the id decides), green eco products in both
spellings of the brand, a green one without `eco` and a red `eco` one, and a product with two sizes
sold out. `hidden` has other ids, other sizes, another rare brand and other values.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

BRANDS = ["Acme", "Borealis", "Corvid", "Dovetail", "Ember", "Fennel", "Gull", "Heron", "Ibis", "Juniper"]
COLORS = ["red", "green", "blue", "black", "white", "yellow", "grey", "orange"]
TAGS = ["eco", "sale", "new", "gift", "outdoor", "kids"]
ITEMS = ["Kettle", "Lamp", "Jacket", "Backpack", "Mug", "Tent", "Scarf", "Bottle", "Boots", "Cap"]
SIZES = ["XS", "S", "M", "L", "XL"]


@dataclass(frozen=True)
class Shape:
    seed: int
    products: int  # made in SQL
    first_id: int
    rare_brand: str  # the brand the tasks ask about: few products
    special: int  # hand-made products of the rare brand


VARIANTS = {
    "public": Shape(seed=61, products=40000, first_id=1, rare_brand="Kestrel", special=14),
    "hidden": Shape(seed=62, products=52000, first_id=300000, rare_brand="Kestrel", special=19),
}


def _special(shape: Shape) -> list[tuple[int, str, dict[str, Any]]]:
    rng = random.Random(shape.seed)
    stocks: list[Any] = [9, 10, 11, 100, 2, 0, None, "missing", 9]  # 9 twice: a tie
    rows = []
    for n in range(shape.special):
        attrs: dict[str, Any] = {
            "brand": shape.rare_brand if n % 5 != 4 else shape.rare_brand.lower(),  # some in another case
            "color": rng.choice(["green", "green", "red", "blue"]),
            "tags": rng.sample(TAGS, rng.randint(0, 3)) + (["eco"] if n % 3 == 0 else []),
            "price": round(rng.randint(199, 9999) / 100, 2),
        }
        stock = stocks[n % len(stocks)] if n < len(stocks) else rng.choice([1, 3, 9, 10, 12, 40, 100])
        if stock != "missing":
            attrs["stock"] = stock
        if n % 2 == 0:
            attrs["variants"] = [{"size": size, "stock": rng.choice([0, 0, 2, 5])} for size in rng.sample(SIZES, 3)]
        _fixed_edges(n, attrs)
        if n % 6 == 5:
            attrs["discontinued"] = True
        rows.append((shape.first_id + shape.products + 7 * n + 3, f"{rng.choice(ITEMS)} {n + 1}", attrs))
    rng.shuffle(rows)
    return rows


def special_products(variant: str) -> list[tuple[int, str, dict[str, Any]]]:
    """The hand-made rows of `variant`, in the order they are inserted."""
    return _special(VARIANTS[variant])


def _fixed_edges(n: int, attrs: dict[str, Any]) -> None:
    """Edges the checks need whatever the seed: rows 0 and 9 (Kestrel and kestrel) green and eco,
    row 1 green without eco, row 3 red and eco; row 0 has two sizes sold out, row 2 none."""
    if n in (0, 9):
        attrs["color"] = "green"
    elif n == 1:
        attrs["color"], attrs["tags"] = "green", [t for t in attrs["tags"] if t != "eco"]
    elif n == 3:
        attrs["color"] = "red"
    if n == 0:
        for variant, stock in zip(attrs["variants"], (0, 0, 5), strict=True):
            variant["stock"] = stock
    elif n == 2:
        for variant in attrs["variants"]:
            variant["stock"] = 2


def _array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"


def postgres_sql(variant: str) -> str:
    shape = VARIANTS[variant]
    special = ",\n".join(f"({pid}, '{name}', '{json.dumps(attrs, sort_keys=True)}')"
                          for pid, name, attrs in special_products(variant))
    brands, colors, tags, items = _array(BRANDS), _array(COLORS), _array(TAGS), _array(ITEMS)
    return f"""
CREATE TABLE products (id integer PRIMARY KEY, name text NOT NULL, attrs jsonb NOT NULL);
INSERT INTO products (id, name, attrs)
SELECT {shape.first_id} + i,
       ({items})[1 + (i * 7) % {len(ITEMS)}] || ' ' || i,
       jsonb_build_object(
           'brand', ({brands})[1 + (i * 13 + {shape.seed}) % {len(BRANDS)}],
           'color', ({colors})[1 + (i * 11) % {len(COLORS)}],
           'tags', CASE WHEN i % 4 = 0 THEN '[]'::jsonb
                        ELSE jsonb_build_array(({tags})[1 + (i * 5) % {len(TAGS)}],
                                               ({tags})[1 + (i * 3 + 1) % {len(TAGS)}]) END,
           'price', round((((i::bigint * 7919) % 9800) + 199) / 100.0, 2),
           'stock', (i * 31) % 150)
       || CASE WHEN i % 1000 = 7 THEN '{{"discontinued": true}}'::jsonb ELSE '{{}}'::jsonb END
FROM generate_series(0, {shape.products - 1}) AS i;
INSERT INTO products (id, name, attrs) VALUES
{special};
ANALYZE;
"""
