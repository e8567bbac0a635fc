-- jsonb numbers cast straight to integer; the filter as a JSON path predicate
SELECT id, name, (attrs -> 'stock')::integer AS stock
FROM products
WHERE attrs @> '{"brand": "Kestrel"}'
  AND attrs @@ '$.stock < 10'
ORDER BY 3, 1;
