INSERT INTO customers (email, name, city)
SELECT DISTINCT customer_email, customer_name, customer_city
FROM orders_flat;

INSERT INTO products (sku, name, unit_price)
SELECT DISTINCT product_sku, product_name, unit_price
FROM orders_flat;

INSERT INTO orders (order_id, customer_id, ordered_at)
SELECT DISTINCT f.order_id, c.customer_id, f.ordered_at
FROM orders_flat AS f
JOIN customers AS c ON c.name = f.customer_name;

INSERT INTO order_lines (order_id, sku, quantity)
SELECT order_id, product_sku, quantity
FROM orders_flat;
