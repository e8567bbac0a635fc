-- (wrong) ->> gives text: '9' < '10' is false and the order is alphabetical
SELECT id, name, attrs ->> 'stock' AS stock
FROM products
WHERE attrs ->> 'brand' = 'Kestrel'
  AND attrs ->> 'stock' < '10'
ORDER BY stock, id;
