SELECT city, count(*) AS customer_count
FROM customers
GROUP BY city;
