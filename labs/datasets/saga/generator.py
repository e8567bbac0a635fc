"""The `saga` dataset: an order saga over three services' tables — inventory (products,
reservations), payments (wallets, charges) and shipping (destinations, shipments) — with a journal
the services write themselves (triggers), so the order of every action and compensation is on
record whatever the saga code logs (arch-saga).

Both variants hold orders that complete, and orders that fail at each step: short stock (step 1),
a wallet that cannot pay (step 2: the CHECK refuses it), a country nobody ships to (step 3: the
trigger refuses it). Amounts that exactly empty a wallet and quantities that exactly empty a stock
succeed (the boundary); a refused country differs in case only from a supported one. `hidden` has
other ids, amounts, customers and countries.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    seed: int
    first_order: int
    countries: tuple[str, ...]
    refused: tuple[str, str]  # countries nobody ships to: the step-3 failure's, the gated compensation's


VARIANTS = {
    "public": Shape(seed=61, first_order=1, countries=("FR", "DE", "NL"), refused=("fr", "fr")),
    "hidden": Shape(seed=62, first_order=7770, countries=("JP", "BR", "CA", "SE"), refused=("Ca", "AQ")),
}

SCHEMA = """
CREATE TABLE products (sku text PRIMARY KEY, stock integer NOT NULL CHECK (stock >= 0));
CREATE TABLE wallets (customer text PRIMARY KEY, balance_cents bigint NOT NULL CHECK (balance_cents >= 0));
CREATE TABLE destinations (country text PRIMARY KEY);
CREATE TABLE orders (
    id           bigint PRIMARY KEY,
    customer     text    NOT NULL,
    sku          text    NOT NULL,
    quantity     integer NOT NULL,
    amount_cents bigint  NOT NULL,
    country      text    NOT NULL,
    status       text    NOT NULL DEFAULT 'new',
    error        text
);
-- each service's own record; no unique key on order_id, so a step done twice shows
CREATE TABLE reservations (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, order_id bigint NOT NULL,
                           sku text NOT NULL, quantity integer NOT NULL, released boolean NOT NULL DEFAULT false);
CREATE TABLE charges (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, order_id bigint NOT NULL,
                      customer text NOT NULL, amount_cents bigint NOT NULL, refunded boolean NOT NULL DEFAULT false);
CREATE TABLE shipments (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, order_id bigint NOT NULL,
                        country text NOT NULL, cancelled boolean NOT NULL DEFAULT false);
CREATE TABLE journal (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, order_id bigint NOT NULL,
                      action text NOT NULL);

CREATE FUNCTION refuse_unknown_country() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM destinations WHERE country = NEW.country) THEN
        RAISE EXCEPTION 'nobody ships to %', NEW.country;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER shipments_country BEFORE INSERT ON shipments FOR EACH ROW EXECUTE FUNCTION refuse_unknown_country();
"""

# one journal trigger per service table: its action when a row is inserted, its compensation when
# the row's flag turns true
JOURNAL = """
CREATE FUNCTION journal_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO journal (order_id, action) VALUES (NEW.order_id, '{done}');
    ELSIF NOT OLD.{flag} AND NEW.{flag} THEN
        INSERT INTO journal (order_id, action) VALUES (NEW.order_id, '{undone}');
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER {table}_journal AFTER INSERT OR UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION journal_{table}();
"""
SERVICES = [("reservations", "reserve", "released", "release"), ("charges", "charge", "refunded", "refund"),
            ("shipments", "ship", "cancelled", "cancel")]

PURPOSES = ("happy", "happy_exact", "fails_at_reserve", "fails_at_charge", "fails_at_ship", "gated_charge",
            "gated_compensation", "gated_ship")


def orders(variant: str) -> dict[str, tuple[int, str, str, int, int, str]]:
    """purpose -> (id, customer, sku, quantity, amount_cents, country); each order its own customer and sku."""
    shape = VARIANTS[variant]
    rng = random.Random(shape.seed)
    found = {}
    order_id = shape.first_order
    for n, purpose in enumerate(PURPOSES):
        order_id += rng.randint(1, 9)  # ids with gaps
        country = shape.refused[0] if purpose == "fails_at_ship" else \
            shape.refused[1] if purpose == "gated_compensation" else rng.choice(shape.countries)
        found[purpose] = (order_id, f"cust-{order_id}", f"SKU-{rng.randint(100, 999)}-{n}", rng.randint(1, 5),
                          rng.randint(100, 90_000), country)
    return found


def stock_and_balance(variant: str) -> dict[str, tuple[int, int]]:
    """purpose -> (the sku's stock, the customer's balance): one short by one where a step must fail,
    exactly enough for `happy_exact` (both end at 0), more than enough elsewhere."""
    rng = random.Random(VARIANTS[variant].seed + 1)
    found = {}
    for purpose, (_, _, _, quantity, amount, _) in orders(variant).items():
        stock = quantity - 1 if purpose == "fails_at_reserve" else quantity + rng.randint(0, 20)
        balance = amount - 1 if purpose == "fails_at_charge" else amount if purpose == "happy_exact" else \
            amount + rng.randint(1, 50_000)
        found[purpose] = (quantity if purpose == "happy_exact" else stock, balance)
    return found


def postgres_sql(variant: str) -> str:
    shape = VARIANTS[variant]
    lines = [SCHEMA]
    lines += [JOURNAL.format(table=t, done=d, flag=f, undone=u) for t, d, f, u in SERVICES]
    lines += [f"INSERT INTO destinations VALUES ('{c}');" for c in shape.countries]
    stocks = stock_and_balance(variant)
    for purpose, (order_id, customer, sku, quantity, amount, country) in orders(variant).items():
        stock, balance = stocks[purpose]
        lines.append(f"INSERT INTO products VALUES ('{sku}', {stock});")
        lines.append(f"INSERT INTO wallets VALUES ('{customer}', {balance});")
        lines.append(f"INSERT INTO orders (id, customer, sku, quantity, amount_cents, country) VALUES "
                     f"({order_id}, '{customer}', '{sku}', {quantity}, {amount}, '{country}');")
    return "\n".join(lines) + "\n"
