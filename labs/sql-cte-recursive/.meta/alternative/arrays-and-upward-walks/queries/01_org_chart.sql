-- the path as an array of names, turned into text at the end
WITH RECURSIVE chart (id, name, names) AS (
    SELECT id, name, ARRAY[name]
    FROM employees
    WHERE manager_id IS NULL
    UNION ALL
    SELECT e.id, e.name, c.names || e.name
    FROM employees AS e
    JOIN chart AS c ON e.manager_id = c.id
)
SELECT id AS employee_id, name, cardinality(names) - 1 AS depth, array_to_string(names, ' > ') AS path
FROM chart
ORDER BY 3, 1;
