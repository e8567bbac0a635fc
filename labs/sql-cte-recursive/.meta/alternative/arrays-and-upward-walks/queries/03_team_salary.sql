WITH RECURSIVE above AS (
    SELECT id AS employee_id, manager_id AS ancestor
    FROM employees
    WHERE manager_id IS NOT NULL
    UNION ALL
    SELECT a.employee_id, m.manager_id
    FROM above AS a
    JOIN employees AS m ON m.id = a.ancestor
    WHERE m.manager_id IS NOT NULL
)
SELECT m.id AS employee_id, m.name,
       (SELECT count(*) FROM above AS a WHERE a.ancestor = m.id) AS team_size,
       (SELECT sum(e.salary) FROM above AS a JOIN employees AS e ON e.id = a.employee_id
        WHERE a.ancestor = m.id) AS team_salary
FROM employees AS m
WHERE EXISTS (SELECT 1 FROM employees AS r WHERE r.manager_id = m.id)
ORDER BY team_salary DESC, employee_id;
