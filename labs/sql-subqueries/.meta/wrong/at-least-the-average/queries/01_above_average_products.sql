SELECT id AS product_id, name AS product_name, price,
       (SELECT round(avg(price), 2) FROM products) AS average_price
FROM products
WHERE price >= (SELECT avg(price) FROM products)
ORDER BY price DESC, id;
