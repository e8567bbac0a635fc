INSERT INTO stock (warehouse_id, product_id, qty)
SELECT warehouse_id, product_id, sum(qty)
FROM deliveries
GROUP BY warehouse_id, product_id
ON CONFLICT (warehouse_id, product_id) DO UPDATE
SET qty = EXCLUDED.qty;
