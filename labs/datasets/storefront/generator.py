"""The `storefront` dataset: 50 000 users and 200 000 orders, for the indexing lab.

Rows come from `generate_series` and fixed integer formulas, so the SQL is short, the template
builds in about a second, and every build is identical. The formulas spread each customer's
orders over two years, make `created_at` unique (a bijection of the row number), mark about one
order in two hundred `pending`, and give emails mixed case, so `lower(email)` matters. The
`hidden` variant uses other ids, sizes and multipliers.

Each formula is a `Formula` the seed SQL writes out and Python evaluates alike (`orders`, `emails`),
so the edge tests read the values the database gets without a server.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

FIRST = ["ada", "bruno", "chen", "dara", "emil", "farah", "goran", "hana", "ivo", "jun", "kemal", "lena", "mira",
         "nils", "olu", "priya", "quinn", "rosa", "sven", "tariq", "uma", "vera", "wes", "yara", "zeno"]
LAST = ["abara", "brandt", "costa", "dvorak", "eze", "fontaine", "grieg", "haddad", "ilves", "jansen", "kowal",
        "lindqvist", "moreau", "novak", "okafor", "petrov", "quist", "rahman", "silva", "tanaka"]
DOMAINS = ["Example.com", "mail.TEST", "example.org", "Post.Example"]
MINUTES = 2 * 365 * 24 * 60  # created_at spans two years, one row per distinct minute at most
SIGN_UP_MINUTES = 365 * 24 * 60  # signed_up_at spans 2022


@dataclass(frozen=True)
class Formula:
    """(i * factor + offset) % modulus of the row number i."""

    factor: int
    offset: int
    modulus: int

    def sql(self) -> str:
        return f"((i::bigint * {self.factor} + {self.offset}) % {self.modulus})"

    def at(self, i: int) -> int:
        return (i * self.factor + self.offset) % self.modulus


CANCELLED = Formula(17, 3, 20)  # one order in twenty (unless it is pending)
CENTS = Formula(7717, 0, 50000)  # total = 5 + CENTS / 100
SIGN_UP = Formula(7333, 0, SIGN_UP_MINUTES)


@dataclass(frozen=True)
class Shape:
    users: int
    orders: int
    first_user: int
    first_order: int
    customer_step: int  # coprime with users: every user gets the same number of orders
    time_step: int  # coprime with MINUTES: created_at is unique
    pending_every: int

    @property
    def customer(self) -> Formula:
        return Formula(self.customer_step, 17, self.users)

    @property
    def minute(self) -> Formula:
        return Formula(self.time_step, 11, MINUTES)

    @property
    def pending(self) -> Formula:  # pending where it is 0: one order in pending_every, evenly spaced
        return Formula(31, 7, self.pending_every)


VARIANTS = {
    "public": Shape(users=50_000, orders=200_000, first_user=1, first_order=1, customer_step=7_919,
                    time_step=104_729, pending_every=200),
    "hidden": Shape(users=55_001, orders=220_000, first_user=300_000, first_order=9_000_000, customer_step=12_289,
                    time_step=130_363, pending_every=190),
}

SCHEMA = """
CREATE TABLE users (
    id           integer PRIMARY KEY,
    email        text      NOT NULL,
    full_name    text      NOT NULL,
    signed_up_at timestamp NOT NULL
);
CREATE TABLE orders (
    id          integer PRIMARY KEY,
    customer_id integer   NOT NULL REFERENCES users (id),
    created_at  timestamp NOT NULL,
    status      text      NOT NULL CHECK (status IN ('completed', 'pending', 'cancelled')),
    total       numeric(10, 2) NOT NULL
);
"""


def _array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"


def emails(variant: str) -> list[str]:
    """The users' emails in id order, as the seed SQL builds them (initcap of a lower-case name is capitalize)."""
    s = VARIANTS[variant]
    return [f"{FIRST[i % len(FIRST)].capitalize()}.{LAST[(i // len(FIRST)) % len(LAST)]}{i}@"
            f"{DOMAINS[(i * 7) % len(DOMAINS)]}" for i in range(s.users)]


def orders(variant: str) -> Iterator[tuple[int, int, int, str]]:
    """(id, customer_id, minutes after 2024-01-01, status) in id order, as the seed SQL builds them."""
    s = VARIANTS[variant]
    pending, customer, minute = s.pending, s.customer, s.minute
    for i in range(s.orders):
        status = "pending" if pending.at(i) == 0 else "cancelled" if CANCELLED.at(i) == 0 else "completed"
        yield s.first_order + i, s.first_user + customer.at(i), minute.at(i), status


def postgres_sql(variant: str) -> str:
    s = VARIANTS[variant]
    first, last, domains = _array(FIRST), _array(LAST), _array(DOMAINS)
    return f"""{SCHEMA}
INSERT INTO users (id, email, full_name, signed_up_at)
SELECT {s.first_user} + i,
       initcap(({first})[1 + i % {len(FIRST)}]) || '.' || ({last})[1 + (i / {len(FIRST)}) % {len(LAST)}]
           || i || '@' || ({domains})[1 + (i * 7) % {len(DOMAINS)}],
       initcap(({first})[1 + i % {len(FIRST)}]) || ' ' || initcap(({last})[1 + (i / {len(FIRST)}) % {len(LAST)}]),
       TIMESTAMP '2022-01-01' + {SIGN_UP.sql()} * INTERVAL '1 minute'
FROM generate_series(0, {s.users - 1}) AS i;

INSERT INTO orders (id, customer_id, created_at, status, total)
SELECT {s.first_order} + i,
       {s.first_user} + {s.customer.sql()},
       TIMESTAMP '2024-01-01' + {s.minute.sql()} * INTERVAL '1 minute',
       CASE WHEN {s.pending.sql()} = 0 THEN 'pending'
            WHEN {CANCELLED.sql()} = 0 THEN 'cancelled'
            ELSE 'completed' END,
       5 + {CENTS.sql()} / 100.0
FROM generate_series(0, {s.orders - 1}) AS i;

ANALYZE;
"""
