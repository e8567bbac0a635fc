SELECT id, name, (attrs ->> 'stock')::integer AS stock
FROM products
WHERE attrs ->> 'brand' = 'Kestrel'
  AND (attrs ->> 'stock')::integer < 10
ORDER BY stock, id;
