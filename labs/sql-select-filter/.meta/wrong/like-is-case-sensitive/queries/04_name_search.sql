SELECT id AS customer_id, name
FROM customers
WHERE name LIKE '%ra%'
ORDER BY name, id;
