SELECT p.id AS product_id, p.name AS product_name, p.price, a.average AS average_price
FROM products AS p
CROSS JOIN (SELECT avg(price) AS average FROM products) AS a
WHERE p.price > a.average
ORDER BY p.price DESC, p.id;
