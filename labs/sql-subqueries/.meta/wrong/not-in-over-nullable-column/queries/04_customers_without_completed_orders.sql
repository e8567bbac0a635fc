SELECT c.id AS customer_id, c.name
FROM customers AS c
WHERE c.id NOT IN (SELECT o.customer_id FROM orders AS o WHERE o.status = 'completed')
ORDER BY c.id;
