SELECT id AS order_id, customer_id, ordered_at, status
FROM orders
ORDER BY ordered_at DESC
LIMIT 10;
