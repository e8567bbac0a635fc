ALTER TABLE readings DETACH PARTITION readings_2024_01;
-- July's rows are still in the default partition: PostgreSQL refuses this.
CREATE TABLE readings_2024_07 PARTITION OF readings FOR VALUES FROM ('2024-07-01') TO ('2024-08-01');
