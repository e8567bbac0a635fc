SELECT id AS customer_id, name, city
FROM customers
ORDER BY city DESC NULLS LAST, name;
