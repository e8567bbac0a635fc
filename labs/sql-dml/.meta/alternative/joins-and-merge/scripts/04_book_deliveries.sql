-- MERGE (PostgreSQL 15+) instead of INSERT … ON CONFLICT
MERGE INTO stock AS s
USING (
    SELECT warehouse_id, product_id, sum(qty) AS delivered
    FROM deliveries
    GROUP BY warehouse_id, product_id
) AS d
ON s.warehouse_id = d.warehouse_id AND s.product_id = d.product_id
WHEN MATCHED THEN UPDATE SET qty = s.qty + d.delivered
WHEN NOT MATCHED THEN INSERT (warehouse_id, product_id, qty) VALUES (d.warehouse_id, d.product_id, d.delivered);
