CREATE TEMPORARY TABLE gone AS
SELECT p.id
FROM products AS p
WHERE p.discontinued
  AND NOT EXISTS (SELECT 1 FROM stock AS s WHERE s.product_id = p.id AND s.qty > 0);

DELETE FROM stock WHERE product_id IN (SELECT id FROM gone);
DELETE FROM products WHERE id IN (SELECT id FROM gone);
