-- keeps one product per category: the tie for the top of a category loses a product
SELECT DISTINCT ON (category) category, id AS product_id, name AS product_name, price
FROM products
ORDER BY category, price DESC;
