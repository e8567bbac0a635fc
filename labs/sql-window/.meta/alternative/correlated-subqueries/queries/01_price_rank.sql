-- a product's rank is one more than the number of strictly more expensive products
SELECT p.id AS product_id, p.name AS product_name, p.price,
       1 + (SELECT count(*) FROM products AS q WHERE q.price > p.price) AS price_rank
FROM products AS p;
