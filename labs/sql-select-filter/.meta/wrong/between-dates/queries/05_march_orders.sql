SELECT id AS order_id, ordered_at, status
FROM orders
WHERE ordered_at BETWEEN '2024-03-01' AND '2024-03-31'
  AND status <> 'cancelled'
ORDER BY ordered_at, id;
