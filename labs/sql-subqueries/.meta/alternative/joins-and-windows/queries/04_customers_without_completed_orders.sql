SELECT c.id AS customer_id, c.name
FROM customers AS c
LEFT JOIN orders AS o ON o.customer_id = c.id AND o.status = 'completed'
WHERE o.id IS NULL
ORDER BY c.id;
