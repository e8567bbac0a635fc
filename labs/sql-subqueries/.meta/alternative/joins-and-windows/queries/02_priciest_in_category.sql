SELECT category, product_id, product_name, price
FROM (
    SELECT category, id AS product_id, name AS product_name, price,
           rank() OVER (PARTITION BY category ORDER BY price DESC) AS position
    FROM products
) AS ranked
WHERE position = 1;
