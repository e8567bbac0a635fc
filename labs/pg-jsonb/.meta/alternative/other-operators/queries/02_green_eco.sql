SELECT id, name
FROM products
WHERE attrs ->> 'brand' = 'Kestrel'
  AND attrs ->> 'color' = 'green'
  AND attrs -> 'tags' ? 'eco'
ORDER BY id;
