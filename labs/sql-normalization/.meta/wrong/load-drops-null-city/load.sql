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
  ON c.email = f.customer_email AND c.name = f.customer_name AND c.city = f.customer_city;

INSERT INTO order_lines (order_id, sku, quantity)
SELECT f.order_id, f.product_sku, f.quantity
FROM orders_flat AS f
JOIN orders AS o ON o.order_id = f.order_id;
