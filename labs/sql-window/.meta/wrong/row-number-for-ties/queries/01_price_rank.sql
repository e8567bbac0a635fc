SELECT id AS product_id, name AS product_name, price,
       row_number() OVER (ORDER BY price DESC) AS price_rank
FROM products;
