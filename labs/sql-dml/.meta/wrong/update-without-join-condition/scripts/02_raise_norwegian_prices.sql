UPDATE products
SET price = round(price * 1.05, 2)
FROM suppliers
WHERE suppliers.country = 'Norway'
  AND NOT products.discontinued;
