WITH totals AS (
    SELECT o.id AS order_id, o.ordered_at, sum(oi.quantity * oi.unit_price) AS order_total
    FROM orders AS o
    JOIN order_items AS oi ON oi.order_id = o.id
    WHERE o.status = 'completed'
    GROUP BY o.id, o.ordered_at
)
SELECT order_id, ordered_at, order_total,
       sum(order_total) OVER (ORDER BY ordered_at, order_id) AS running_total
FROM totals
ORDER BY ordered_at, order_id;
