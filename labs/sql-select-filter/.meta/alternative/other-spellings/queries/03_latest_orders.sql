SELECT id AS order_id, customer_id, ordered_at, status
FROM orders
ORDER BY (ordered_at, id) DESC
FETCH FIRST 10 ROWS ONLY;
