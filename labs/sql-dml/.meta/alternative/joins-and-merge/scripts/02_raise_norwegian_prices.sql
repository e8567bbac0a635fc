-- a subquery instead of UPDATE … FROM; the numeric(10,2) column rounds to cents itself
UPDATE products
SET price = price * 1.05
WHERE discontinued = false
  AND supplier_id IN (SELECT id FROM suppliers WHERE country = 'Norway');
