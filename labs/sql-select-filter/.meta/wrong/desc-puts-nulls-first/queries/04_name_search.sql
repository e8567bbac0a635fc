SELECT id AS customer_id, name
FROM customers
WHERE name ILIKE '%ra%'
ORDER BY name, id;
