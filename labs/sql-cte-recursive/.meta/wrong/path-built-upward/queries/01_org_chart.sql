-- walks from each employee up to the director, appending each manager: the path comes out reversed
WITH RECURSIVE up AS (
    SELECT id AS employee_id, name, manager_id, 0 AS depth, name AS path
    FROM employees
    UNION ALL
    SELECT u.employee_id, u.name, m.manager_id, u.depth + 1, u.path || ' > ' || m.name
    FROM up AS u
    JOIN employees AS m ON m.id = u.manager_id
)
SELECT employee_id, name, depth, path
FROM up
WHERE manager_id IS NULL
ORDER BY depth, employee_id;
