-- Wrong: recorded_at lost its NOT NULL when the table was recreated; the default partition would then
-- quietly accept readings without a time.
ALTER TABLE readings RENAME TO readings_unpartitioned;

CREATE TABLE readings (
    device_id   integer NOT NULL,
    recorded_at timestamp,
    value       numeric(8, 2)
) PARTITION BY RANGE (recorded_at);

-- FROM is inclusive, TO exclusive: each month ends where the next begins, no gap, no overlap.
CREATE TABLE readings_2024_01 PARTITION OF readings FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');
CREATE TABLE readings_2024_02 PARTITION OF readings FOR VALUES FROM ('2024-02-01') TO ('2024-03-01');
CREATE TABLE readings_2024_03 PARTITION OF readings FOR VALUES FROM ('2024-03-01') TO ('2024-04-01');
CREATE TABLE readings_2024_04 PARTITION OF readings FOR VALUES FROM ('2024-04-01') TO ('2024-05-01');
CREATE TABLE readings_2024_05 PARTITION OF readings FOR VALUES FROM ('2024-05-01') TO ('2024-06-01');
CREATE TABLE readings_2024_06 PARTITION OF readings FOR VALUES FROM ('2024-06-01') TO ('2024-07-01');
CREATE TABLE readings_default PARTITION OF readings DEFAULT;

INSERT INTO readings (device_id, recorded_at, value)
SELECT device_id, recorded_at, value FROM readings_unpartitioned;

DROP TABLE readings_unpartitioned;
