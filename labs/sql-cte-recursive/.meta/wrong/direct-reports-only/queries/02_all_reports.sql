SELECT manager_id, id AS employee_id, 1 AS levels_down
FROM employees
WHERE manager_id IS NOT NULL;
