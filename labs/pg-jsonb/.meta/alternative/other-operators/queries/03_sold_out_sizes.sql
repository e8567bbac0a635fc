SELECT p.id, v.value ->> 'size' AS size
FROM products AS p
CROSS JOIN LATERAL jsonb_array_elements(p.attrs -> 'variants') AS v
WHERE (v.value ->> 'stock')::integer = 0
ORDER BY 1, 2;
