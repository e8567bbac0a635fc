SELECT id AS order_id, ordered_at, status
FROM orders
WHERE extract(month FROM ordered_at) = 3
  AND status <> 'cancelled'
ORDER BY ordered_at, id;
