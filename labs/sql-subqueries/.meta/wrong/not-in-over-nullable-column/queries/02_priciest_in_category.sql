SELECT p.category, p.id AS product_id, p.name AS product_name, p.price
FROM products AS p
WHERE p.price = (SELECT max(q.price) FROM products AS q WHERE q.category = p.category);
