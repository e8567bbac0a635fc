WITH totals AS (
    SELECT o.id AS order_id, o.ordered_at, sum(oi.quantity * oi.unit_price) AS order_total
    FROM orders AS o
    JOIN order_items AS oi ON oi.order_id = o.id
    WHERE o.status = 'completed'
    GROUP BY o.id, o.ordered_at
)
SELECT t.order_id, t.ordered_at, t.order_total,
       (SELECT sum(e.order_total) FROM totals AS e
        WHERE (e.ordered_at, e.order_id) <= (t.ordered_at, t.order_id)) AS running_total
FROM totals AS t
ORDER BY t.ordered_at, t.order_id;
