DELETE FROM stock
WHERE product_id IN (SELECT id FROM products WHERE discontinued);
DELETE FROM products WHERE discontinued;
