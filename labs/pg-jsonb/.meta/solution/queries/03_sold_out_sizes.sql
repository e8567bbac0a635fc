SELECT p.id, v ->> 'size' AS size
FROM products AS p,
     jsonb_path_query(p.attrs, '$.variants[*] ? (@.stock == 0)') AS v
ORDER BY p.id, size;
