-- every flat row offered to each table; the keys throw the repeats away
INSERT INTO customers (email, name, city)
SELECT customer_email, customer_name, customer_city FROM orders_flat
ON CONFLICT (email) DO NOTHING;

INSERT INTO products (sku, name, unit_price)
SELECT product_sku, product_name, unit_price FROM orders_flat
ON CONFLICT (sku) DO NOTHING;

INSERT INTO orders (order_id, customer_id, ordered_at)
SELECT f.order_id,
       (SELECT c.customer_id FROM customers AS c WHERE c.email = f.customer_email),
       f.ordered_at
FROM orders_flat AS f
ON CONFLICT (order_id) DO NOTHING;

INSERT INTO order_lines (order_id, sku, quantity)
SELECT order_id, product_sku, quantity FROM orders_flat;
