SELECT id AS product_id, name AS product_name, price,
       dense_rank() OVER (ORDER BY price DESC) AS price_rank
FROM products;
