"""The `bank` dataset: accounts with balances, for the transactions lab.

`public` has a dozen accounts with ids from 1 and round balances. `hidden` uses ids far from 1
with gaps, balances with cents, one account that is already empty, and rows inserted in shuffled
order, so a function that assumes particular ids or whole amounts fails there.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

OWNERS = ["Ada Brandt", "Bruno Costa", "Chen Eze", "Dara Grieg", "Emil Haddad", "Farah Ilves", "Goran Jansen",
          "Hana Kowal", "Ivo Moreau", "Jun Novak", "Kemal Okafor", "Lena Petrov", "Mira Quist", "Nils Rahman",
          "Olu Silva", "Priya Tanaka", "Quinn Abara", "Rosa Dvorak"]


@dataclass(frozen=True)
class Shape:
    seed: int
    accounts: int
    first_id: int
    id_gap: int
    cents: bool
    empty_accounts: int
    shuffle: bool


VARIANTS = {
    "public": Shape(seed=11, accounts=12, first_id=1, id_gap=1, cents=False, empty_accounts=0, shuffle=False),
    "hidden": Shape(seed=12, accounts=16, first_id=5000, id_gap=9, cents=True, empty_accounts=1, shuffle=True),
}

SCHEMA = """
CREATE TABLE accounts (
    id      integer PRIMARY KEY,
    owner   text    NOT NULL,
    balance numeric(12, 2) NOT NULL
);
"""


def accounts(variant: str) -> list[tuple[int, str, Decimal]]:
    """(id, owner, balance) rows in insertion order."""
    shape = VARIANTS[variant]
    rng = random.Random(shape.seed)
    rows = []
    current = shape.first_id
    for i in range(shape.accounts):
        balance = Decimal(rng.randrange(200, 2000, 50))
        if shape.cents:
            balance += Decimal(rng.randint(1, 99)) / 100
        if i >= shape.accounts - shape.empty_accounts:
            balance = Decimal("0.00")
        rows.append((current, OWNERS[i % len(OWNERS)], balance.quantize(Decimal("0.01"))))
        current += rng.randint(1, shape.id_gap)
    if shape.shuffle:
        rng.shuffle(rows)
    return rows


def postgres_sql(variant: str) -> str:
    values = ",\n".join(f"({i}, '{owner}', {balance})" for i, owner, balance in accounts(variant))
    return f"{SCHEMA}\nINSERT INTO accounts VALUES\n{values};\nANALYZE;\n"
