-- Wrong: ordered by depth only: colleagues on one level come in the order the recursion found them,
-- not by id as the README asks.
WITH RECURSIVE chart AS (
    SELECT id, name, 0 AS depth, name AS path
    FROM employees
    WHERE manager_id IS NULL
    UNION ALL
    SELECT e.id, e.name, c.depth + 1, c.path || ' > ' || e.name
    FROM employees AS e
    JOIN chart AS c ON e.manager_id = c.id
)
SELECT id AS employee_id, name, depth, path
FROM chart
ORDER BY depth;
