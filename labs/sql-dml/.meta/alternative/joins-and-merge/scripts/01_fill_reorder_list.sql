-- anti-join with LEFT JOIN … IS NULL instead of NOT EXISTS
INSERT INTO reorder_list
SELECT s.warehouse_id, s.product_id, p.reorder_level + (p.reorder_level - s.qty)
FROM stock s
JOIN products p ON p.id = s.product_id AND p.discontinued = false
LEFT JOIN reorder_list r ON (r.warehouse_id, r.product_id) = (s.warehouse_id, s.product_id)
WHERE s.qty < p.reorder_level
  AND r.product_id IS NULL;
