-- status is published but has no column here: the initial copy fails.
CREATE TABLE orders (
    id          bigint PRIMARY KEY,
    customer_id integer NOT NULL,
    region      text NOT NULL,
    placed_at   timestamptz NOT NULL,
    total       numeric(10, 2) NOT NULL
);
