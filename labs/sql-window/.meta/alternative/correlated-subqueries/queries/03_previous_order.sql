SELECT o.customer_id, o.id AS order_id, o.ordered_at,
       (SELECT p.id FROM orders AS p
        WHERE p.customer_id = o.customer_id AND (p.ordered_at, p.id) < (o.ordered_at, o.id)
        ORDER BY p.ordered_at DESC, p.id DESC LIMIT 1) AS previous_order_id,
       (SELECT n.id FROM orders AS n
        WHERE n.customer_id = o.customer_id AND (n.ordered_at, n.id) > (o.ordered_at, o.id)
        ORDER BY n.ordered_at, n.id LIMIT 1) AS next_order_id
FROM orders AS o
WHERE o.customer_id IS NOT NULL;
