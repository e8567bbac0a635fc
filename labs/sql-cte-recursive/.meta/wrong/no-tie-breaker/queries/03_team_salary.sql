-- Wrong: ordered by team_salary only: teams that cost the same come in whatever order the sort leaves
-- them, not by employee_id as the README asks.
WITH RECURSIVE reports AS (
    SELECT manager_id, id AS employee_id
    FROM employees
    WHERE manager_id IS NOT NULL
    UNION ALL
    SELECT r.manager_id, e.id
    FROM reports AS r
    JOIN employees AS e ON e.manager_id = r.employee_id
)
SELECT m.id AS employee_id, m.name, count(*) AS team_size, sum(e.salary) AS team_salary
FROM reports AS r
JOIN employees AS m ON m.id = r.manager_id
JOIN employees AS e ON e.id = r.employee_id
GROUP BY m.id, m.name
ORDER BY team_salary DESC;
