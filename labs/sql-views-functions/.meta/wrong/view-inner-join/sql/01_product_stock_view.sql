CREATE VIEW product_stock AS
SELECT p.id AS product_id,
       p.sku,
       p.name,
       sum(s.qty) AS total_qty,
       sum(s.qty) * p.price AS stock_value
FROM products AS p
JOIN stock AS s ON s.product_id = p.id
WHERE NOT p.discontinued
GROUP BY p.id, p.sku, p.name, p.price;
