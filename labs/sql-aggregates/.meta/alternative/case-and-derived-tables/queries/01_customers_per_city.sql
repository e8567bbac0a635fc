-- sum(1) adds one per row, NULL city or not
SELECT city, sum(1) AS customer_count
FROM customers
GROUP BY city;
