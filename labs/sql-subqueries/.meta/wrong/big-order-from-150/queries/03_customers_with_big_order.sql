SELECT c.id AS customer_id, c.name
FROM customers AS c
WHERE EXISTS (
    SELECT 1
    FROM orders AS o
    JOIN order_items AS oi ON oi.order_id = o.id
    WHERE o.customer_id = c.id AND o.status = 'completed'
    GROUP BY o.id
    HAVING sum(oi.quantity * oi.unit_price) >= 150
);
