SELECT id AS customer_id, name
FROM customers
WHERE id IN (
    SELECT o.customer_id
    FROM orders AS o
    JOIN order_items AS oi ON oi.order_id = o.id
    WHERE o.status = 'completed'
    GROUP BY o.id, o.customer_id
    HAVING sum(oi.quantity * oi.unit_price) > 150
);
