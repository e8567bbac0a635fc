SELECT id AS order_id, ordered_at, status
FROM orders
WHERE ordered_at >= TIMESTAMP '2024-03-01 00:00'
  AND ordered_at < TIMESTAMP '2024-04-01 00:00'
  AND status <> 'cancelled'
ORDER BY ordered_at, id;
