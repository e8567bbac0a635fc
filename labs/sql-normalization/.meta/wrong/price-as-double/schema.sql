CREATE TABLE customers (
    customer_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email       text NOT NULL UNIQUE,
    name        text NOT NULL,
    city        text
);

CREATE TABLE products (
    sku        text PRIMARY KEY,
    name       text NOT NULL,
    unit_price double precision NOT NULL
);

CREATE TABLE orders (
    order_id    integer PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers (customer_id),
    ordered_at  timestamp NOT NULL
);

CREATE TABLE order_lines (
    order_id integer NOT NULL REFERENCES orders (order_id),
    sku      text    NOT NULL REFERENCES products (sku),
    quantity integer NOT NULL,
    PRIMARY KEY (order_id, sku)
);
