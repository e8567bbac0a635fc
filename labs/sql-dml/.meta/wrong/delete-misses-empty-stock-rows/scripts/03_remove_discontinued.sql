DELETE FROM products
WHERE discontinued
  AND id NOT IN (SELECT product_id FROM stock);
