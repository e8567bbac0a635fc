-- from each employee upwards: their manager, that manager's manager, ...
WITH RECURSIVE above AS (
    SELECT id AS employee_id, manager_id AS ancestor, 1 AS levels_down
    FROM employees
    WHERE manager_id IS NOT NULL
    UNION ALL
    SELECT a.employee_id, m.manager_id, a.levels_down + 1
    FROM above AS a
    JOIN employees AS m ON m.id = a.ancestor
    WHERE m.manager_id IS NOT NULL
)
SELECT ancestor AS manager_id, employee_id, levels_down
FROM above;
