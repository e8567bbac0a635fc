INSERT INTO reorder_list (warehouse_id, product_id, qty_needed)
SELECT s.warehouse_id, s.product_id, 2 * p.reorder_level - s.qty
FROM stock AS s
JOIN products AS p ON p.id = s.product_id
WHERE s.qty < p.reorder_level
  AND NOT p.discontinued
  AND NOT EXISTS (
      SELECT 1 FROM reorder_list AS r
      WHERE r.warehouse_id = s.warehouse_id AND r.product_id = s.product_id
  );
