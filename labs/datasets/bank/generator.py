"""The `bank` dataset: accounts with balances, for the transactions lab.

Both variants carry, by construction: ids with gaps, rows inserted out of id order, balances with
cents (a balance read into an integer variable loses them) and one account that is already empty
(it can send nothing, not even 0.01). Every other account holds at least 100, so every check finds
the funded accounts it needs. `public` has a dozen accounts with ids from 1 and cents on every
other balance; `hidden` has more, ids far from 1 with wider gaps, cents on every funded balance and
another balance range.
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
    id_gap: int  # consecutive ids differ by 2 .. id_gap
    cents_every: int  # every n-th account's balance has cents, from the first
    balances: tuple[int, int]  # the range of the whole part of a funded balance (multiples of 50)


VARIANTS = {
    "public": Shape(seed=11, accounts=12, first_id=1, id_gap=3, cents_every=2, balances=(200, 2000)),
    "hidden": Shape(seed=12, accounts=16, first_id=5000, id_gap=9, cents_every=1, balances=(150, 4800)),
}

SCHEMA = """
CREATE TABLE accounts (
    id      integer PRIMARY KEY,
    owner   text    NOT NULL,
    balance numeric(12, 2) NOT NULL
);
"""


def accounts(variant: str) -> list[tuple[int, str, Decimal]]:
    """(id, owner, balance) rows in insertion order; the last account (the highest id) is empty."""
    shape = VARIANTS[variant]
    rng = random.Random(shape.seed)
    rows = []
    current = shape.first_id
    for i in range(shape.accounts):
        balance = Decimal(rng.randrange(*shape.balances, 50))
        if i % shape.cents_every == 0:  # the first (lowest id) among them: task 1 checks it
            balance += Decimal(rng.randint(1, 99)) / 100
        if i == shape.accounts - 1:
            balance = Decimal(0)
        rows.append((current, OWNERS[i % len(OWNERS)], balance.quantize(Decimal("0.01"))))
        current += rng.randint(2, shape.id_gap)
    rng.shuffle(rows)
    if rows == sorted(rows):  # a shuffle may leave them in order; they must not be
        rows.reverse()
    return rows


def postgres_sql(variant: str) -> str:
    values = ",\n".join(f"({i}, '{owner}', {balance})" for i, owner, balance in accounts(variant))
    return f"{SCHEMA}\nINSERT INTO accounts VALUES\n{values};\nANALYZE;\n"
