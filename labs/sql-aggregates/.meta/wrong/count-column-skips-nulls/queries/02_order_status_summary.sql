SELECT status,
       count(*) AS order_count,
       count(*) FILTER (WHERE customer_id IS NULL) AS guest_orders,
       count(DISTINCT customer_id) AS customers
FROM orders
GROUP BY status
ORDER BY status;
