"""The `pg_tenants` dataset for pg-row-level-security: one `invoices` table shared by many tenants.

Edge cases in both variants: tenant ids that are prefixes of one another (1, 10, 12 — a text
comparison or LIKE would mix them), a tenant with no invoices at all, and archived invoices in every
tenant. `hidden` has other tenant ids (far from the public ones), other sizes and ids.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

CUSTOMERS = ["Acme Ltd", "Birchwood", "Cobalt & Co", "Dunmore", "Eastgate", "Fjord AS", "Granite", "Harbour"]
STATUSES = ["open", "open", "paid", "paid", "archived"]


@dataclass(frozen=True)
class Shape:
    seed: int
    tenants: tuple[int, ...]  # tenants with invoices
    empty_tenant: int  # a tenant with none
    per_tenant: tuple[int, int]  # invoices per tenant, min and max
    first_id: int


VARIANTS = {
    "public": Shape(seed=51, tenants=(1, 2, 10, 12), empty_tenant=3, per_tenant=(4, 7), first_id=1),
    "hidden": Shape(seed=52, tenants=(5, 50, 501, 507, 8), empty_tenant=9, per_tenant=(5, 11), first_id=900),
}

SCHEMA = """
CREATE TABLE tenants (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE invoices (
    id serial PRIMARY KEY,
    tenant_id integer NOT NULL REFERENCES tenants (id),
    customer text NOT NULL,
    amount numeric(10, 2) NOT NULL,
    status text NOT NULL CHECK (status IN ('open', 'paid', 'archived'))
);
"""


def tenants(variant: str) -> list[int]:
    shape = VARIANTS[variant]
    return [*shape.tenants, shape.empty_tenant]


def invoices(variant: str) -> list[tuple[int, int, str, Decimal, str]]:
    """(id, tenant_id, customer, amount, status): every tenant with invoices has an archived and an open one."""
    shape = VARIANTS[variant]
    rng = random.Random(shape.seed)
    rows = []
    for tenant in shape.tenants:
        count = rng.randint(*shape.per_tenant)
        statuses = ["archived", "open"] + [rng.choice(STATUSES) for _ in range(count - 2)]
        for status in statuses:
            rows.append((tenant, rng.choice(CUSTOMERS), Decimal(rng.randint(1000, 90000)) / 100, status))
    rng.shuffle(rows)
    return [(shape.first_id + n, *row) for n, row in enumerate(rows)]


def postgres_sql(variant: str) -> str:
    tenant_rows = ",\n".join(f"({t}, 'Tenant {t}')" for t in tenants(variant))
    invoice_rows = ",\n".join(
        f"({i}, {t}, '{c.replace(chr(39), chr(39) * 2)}', {a}, '{s}')" for i, t, c, a, s in invoices(variant)
    )
    return f"""{SCHEMA}
INSERT INTO tenants (id, name) VALUES
{tenant_rows};
INSERT INTO invoices (id, tenant_id, customer, amount, status) VALUES
{invoice_rows};
SELECT setval('invoices_id_seq', (SELECT max(id) FROM invoices));
ANALYZE;
"""
