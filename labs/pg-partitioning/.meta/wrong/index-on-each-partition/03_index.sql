-- One index per existing partition: a partition added later has none, and readings itself has none.
CREATE INDEX ON readings_2024_01 (device_id, recorded_at);
CREATE INDEX ON readings_2024_02 (device_id, recorded_at);
CREATE INDEX ON readings_2024_03 (device_id, recorded_at);
CREATE INDEX ON readings_2024_04 (device_id, recorded_at);
CREATE INDEX ON readings_2024_05 (device_id, recorded_at);
CREATE INDEX ON readings_2024_06 (device_id, recorded_at);
CREATE INDEX ON readings_default (device_id, recorded_at);
