SELECT id AS customer_id, name
FROM customers
WHERE lower(name) LIKE '%ra%'
ORDER BY 2, 1;
