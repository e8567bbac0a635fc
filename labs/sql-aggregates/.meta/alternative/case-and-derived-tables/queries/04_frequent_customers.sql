SELECT c.id AS customer_id, c.name, t.order_count, t.completed_orders
FROM (
    SELECT customer_id,
           count(*) AS order_count,
           sum(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS completed_orders
    FROM orders
    WHERE customer_id IS NOT NULL
    GROUP BY customer_id
) AS t
JOIN customers AS c ON c.id = t.customer_id
WHERE t.order_count >= 6
ORDER BY t.order_count DESC, c.id;
