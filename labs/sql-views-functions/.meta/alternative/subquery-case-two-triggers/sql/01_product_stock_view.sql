-- a correlated subquery instead of LEFT JOIN + GROUP BY
CREATE OR REPLACE VIEW product_stock AS
SELECT t.product_id, t.sku, t.name, t.total_qty, t.total_qty * t.price AS stock_value
FROM (
    SELECT p.id AS product_id, p.sku, p.name, p.price,
           (SELECT coalesce(sum(s.qty), 0) FROM stock s WHERE s.product_id = p.id) AS total_qty
    FROM products p
    WHERE p.discontinued = false
) AS t;
