"""The `pages` dataset: pages and their visit counters, behind the arch-connection-pool service.

Both variants carry the README's cases: slugs in mixed case and with digits and hyphens, a page
with 0 visits, a counter already beyond 2^31 (bigint, not integer), and a slug no page has
(a 404, not a 500). `hidden` has other slugs, counts and sizes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    seed: int
    pages: int
    words: tuple[str, ...]


VARIANTS = {
    "public": Shape(seed=91, pages=6, words=("home", "pricing", "blog", "about", "jobs", "docs", "faq")),
    "hidden": Shape(seed=92, pages=9, words=("start", "tarifs", "news", "team", "careers", "guide", "help", "legal",
                                             "status", "press")),
}

SCHEMA = """
CREATE TABLE pages (
    slug   text   PRIMARY KEY,
    title  text   NOT NULL,
    visits bigint NOT NULL DEFAULT 0
);
"""


def pages(variant: str) -> list[tuple[str, str, int]]:
    shape = VARIANTS[variant]
    rng = random.Random(shape.seed)
    rows = []
    for n, word in enumerate(rng.sample(shape.words, shape.pages)):
        slug = word.capitalize() + f"-{n}" if n % 3 == 1 else f"{word}-{rng.randint(2, 99)}"
        visits = 0 if n == 0 else 2**31 + rng.randint(1, 999) if n == 2 else rng.randint(1, 50_000)
        rows.append((slug, f"The {word} page", visits))
    return rows


def postgres_sql(variant: str) -> str:
    lines = [SCHEMA]
    lines += [f"INSERT INTO pages VALUES ('{slug}', '{title}', {visits});" for slug, title, visits in pages(variant)]
    return "\n".join(lines) + "\n"
