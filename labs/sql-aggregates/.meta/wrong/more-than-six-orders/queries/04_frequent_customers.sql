SELECT c.id AS customer_id, c.name,
       count(*) AS order_count,
       count(*) FILTER (WHERE o.status = 'completed') AS completed_orders
FROM customers AS c
JOIN orders AS o ON o.customer_id = c.id
GROUP BY c.id, c.name
HAVING count(*) > 6
ORDER BY order_count DESC, customer_id;
