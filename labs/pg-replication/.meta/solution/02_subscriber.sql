-- Task 2, on the subscriber: logical replication copies rows, not DDL: the table must exist,
-- with a column for every published column (matched by name) and a key to find rows by.
CREATE TABLE orders (
    id          bigint PRIMARY KEY,
    customer_id integer NOT NULL,
    region      text NOT NULL,
    placed_at   timestamptz NOT NULL,
    total       numeric(10, 2) NOT NULL,
    status      text NOT NULL
);
