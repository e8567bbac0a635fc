SELECT customer_id, id AS order_id, ordered_at,
       lag(id) OVER w AS previous_order_id,
       lead(id) OVER w AS next_order_id
FROM orders
WHERE customer_id IS NOT NULL
WINDOW w AS (PARTITION BY customer_id ORDER BY ordered_at, id);
