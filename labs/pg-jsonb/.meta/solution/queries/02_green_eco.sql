SELECT id, name
FROM products
WHERE attrs @> '{"brand": "Kestrel", "color": "green", "tags": ["eco"]}'
ORDER BY id;
