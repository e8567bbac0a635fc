-- the recursion starts at each manager itself, so the manager lands in their own team
WITH RECURSIVE team AS (
    SELECT id AS manager_id, id AS employee_id
    FROM employees
    WHERE id IN (SELECT manager_id FROM employees)
    UNION ALL
    SELECT t.manager_id, e.id
    FROM team AS t
    JOIN employees AS e ON e.manager_id = t.employee_id
)
SELECT m.id AS employee_id, m.name, count(*) AS team_size, sum(e.salary) AS team_salary
FROM team AS t
JOIN employees AS m ON m.id = t.manager_id
JOIN employees AS e ON e.id = t.employee_id
GROUP BY m.id, m.name
ORDER BY team_salary DESC, employee_id;
