-- Detach the default partition, add July, route the old default's rows back through readings.
ALTER TABLE readings DETACH PARTITION readings_2024_01;
ALTER TABLE readings DETACH PARTITION readings_default;
ALTER TABLE readings_default RENAME TO readings_default_old;
CREATE TABLE readings_2024_07 PARTITION OF readings FOR VALUES FROM ('2024-07-01') TO ('2024-08-01');
CREATE TABLE readings_default PARTITION OF readings DEFAULT;
INSERT INTO readings SELECT * FROM readings_default_old;
DROP TABLE readings_default_old;
