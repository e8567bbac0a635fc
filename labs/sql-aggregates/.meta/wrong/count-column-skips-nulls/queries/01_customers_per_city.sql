SELECT city, count(city) AS customer_count
FROM customers
GROUP BY city;
