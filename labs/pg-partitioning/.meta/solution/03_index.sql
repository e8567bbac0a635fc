-- Task 3: one index on the partitioned table: PostgreSQL creates it on every partition, and on
-- every partition attached or created later.
CREATE INDEX readings_device_time_idx ON readings (device_id, recorded_at);
