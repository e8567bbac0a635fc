SELECT status,
       count(*) AS order_count,
       sum(CASE WHEN customer_id IS NULL THEN 1 ELSE 0 END) AS guest_orders,
       (SELECT count(*) FROM (SELECT DISTINCT customer_id FROM orders AS o2
                              WHERE o2.status = o.status AND o2.customer_id IS NOT NULL) AS d) AS customers
FROM orders AS o
GROUP BY status
ORDER BY 1;
