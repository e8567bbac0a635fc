SELECT id, name
FROM products
WHERE lower(attrs ->> 'brand') = 'kestrel'
  AND attrs @> '{"color": "green", "tags": ["eco"]}'
ORDER BY id;
