SELECT c.id AS customer_id, c.name
FROM customers AS c
WHERE NOT EXISTS (
    SELECT 1 FROM orders AS o
    WHERE o.customer_id = c.id AND o.status = 'completed'
)
ORDER BY c.id;
