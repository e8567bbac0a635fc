UPDATE products AS p
SET price = round(p.price * 1.05, 2)
FROM suppliers AS s
WHERE s.id = p.supplier_id
  AND s.country = 'Norway'
  AND NOT p.discontinued;
