SELECT m.id AS employee_id, m.name, count(*) AS team_size, sum(e.salary) AS team_salary
FROM employees AS m
JOIN employees AS e ON e.manager_id = m.id
GROUP BY m.id, m.name
ORDER BY team_salary DESC, employee_id;
