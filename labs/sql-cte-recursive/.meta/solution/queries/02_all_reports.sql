WITH RECURSIVE reports AS (
    SELECT manager_id, id AS employee_id, 1 AS levels_down
    FROM employees
    WHERE manager_id IS NOT NULL
    UNION ALL
    SELECT r.manager_id, e.id, r.levels_down + 1
    FROM reports AS r
    JOIN employees AS e ON e.manager_id = r.employee_id
)
SELECT manager_id, employee_id, levels_down
FROM reports;
