SELECT id AS order_id, ordered_at, status
FROM orders
WHERE date_trunc('month', ordered_at) = DATE '2024-03-01'
  AND status IN ('completed', 'pending')
ORDER BY ordered_at, order_id;
