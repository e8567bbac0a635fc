-- four levels, as deep as the data I can see
SELECT e0.id AS employee_id, e0.name, 0 AS depth, e0.name AS path
FROM employees AS e0 WHERE e0.manager_id IS NULL
UNION ALL
SELECT e1.id, e1.name, 1, e0.name || ' > ' || e1.name
FROM employees AS e0 JOIN employees AS e1 ON e1.manager_id = e0.id
WHERE e0.manager_id IS NULL
UNION ALL
SELECT e2.id, e2.name, 2, e0.name || ' > ' || e1.name || ' > ' || e2.name
FROM employees AS e0 JOIN employees AS e1 ON e1.manager_id = e0.id
JOIN employees AS e2 ON e2.manager_id = e1.id
WHERE e0.manager_id IS NULL
UNION ALL
SELECT e3.id, e3.name, 3, e0.name || ' > ' || e1.name || ' > ' || e2.name || ' > ' || e3.name
FROM employees AS e0 JOIN employees AS e1 ON e1.manager_id = e0.id
JOIN employees AS e2 ON e2.manager_id = e1.id
JOIN employees AS e3 ON e3.manager_id = e2.id
WHERE e0.manager_id IS NULL
ORDER BY depth, employee_id;
