-- serial instead of identity, table-level constraints with names, numeric without a scale
CREATE TABLE customers (
    customer_id serial,
    email       text NOT NULL,
    name        text NOT NULL,
    city        text,
    CONSTRAINT customers_pk PRIMARY KEY (customer_id),
    CONSTRAINT customers_email_key UNIQUE (email)
);
CREATE TABLE products (
    sku        text NOT NULL,
    name       text NOT NULL,
    unit_price numeric NOT NULL,
    CONSTRAINT products_pk PRIMARY KEY (sku)
);
CREATE TABLE orders (
    order_id    integer NOT NULL,
    customer_id integer NOT NULL,
    ordered_at  timestamp NOT NULL,
    CONSTRAINT orders_pk PRIMARY KEY (order_id),
    CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers
);
CREATE TABLE order_lines (
    order_id integer NOT NULL,
    sku      text NOT NULL,
    quantity integer NOT NULL,
    CONSTRAINT order_lines_pk PRIMARY KEY (sku, order_id),
    CONSTRAINT order_lines_order_fk FOREIGN KEY (order_id) REFERENCES orders,
    CONSTRAINT order_lines_product_fk FOREIGN KEY (sku) REFERENCES products
);
