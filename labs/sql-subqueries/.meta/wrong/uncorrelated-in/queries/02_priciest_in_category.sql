SELECT category, id AS product_id, name AS product_name, price
FROM products
WHERE price IN (SELECT max(price) FROM products GROUP BY category);
