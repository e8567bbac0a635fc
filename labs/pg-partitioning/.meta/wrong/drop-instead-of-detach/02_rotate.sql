-- Task 2: January leaves (kept as an ordinary table), July arrives.
DROP TABLE readings_2024_01;

-- July's rows wait in the default partition; while they are there, July cannot be attached.
CREATE TABLE readings_2024_07 (LIKE readings INCLUDING ALL);
WITH moved AS (
    DELETE FROM readings_default
    WHERE recorded_at >= '2024-07-01' AND recorded_at < '2024-08-01'
    RETURNING device_id, recorded_at, value
)
INSERT INTO readings_2024_07 (device_id, recorded_at, value)
SELECT device_id, recorded_at, value FROM moved;

ALTER TABLE readings ATTACH PARTITION readings_2024_07 FOR VALUES FROM ('2024-07-01') TO ('2024-08-01');
