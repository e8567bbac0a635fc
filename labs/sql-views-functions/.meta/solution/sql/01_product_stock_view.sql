CREATE VIEW product_stock AS
SELECT p.id AS product_id,
       p.sku,
       p.name,
       coalesce(sum(s.qty), 0) AS total_qty,
       coalesce(sum(s.qty), 0) * p.price AS stock_value
FROM products AS p
LEFT JOIN stock AS s ON s.product_id = p.id
WHERE NOT p.discontinued
GROUP BY p.id, p.sku, p.name, p.price;
