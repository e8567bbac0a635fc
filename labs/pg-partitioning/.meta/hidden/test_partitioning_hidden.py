"""Hidden checks for pg-partitioning: rows written after the scripts land where the reference's do."""

import pytest

PLACEMENT = "SELECT tableoid::regclass::text AS partition, device_id, recorded_at, value FROM readings"
BOUNDARIES = """
INSERT INTO readings VALUES
  (7, '2024-04-30 23:59:59.999999', 1.5), (7, '2024-05-01 00:00:00', 2.5), (7, '2024-06-30 23:59:59', NULL),
  (7, '2024-07-01 00:00:00', 3.5), (7, '2023-12-31 23:59:59.999999', 4.5), (7, '2024-01-01 00:00:00', 5.5)
"""


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_new_rows_land_in_their_month(sql):
    """rows inserted later at month boundaries land in the same partitions as the reference's"""
    sql.check_after("01_partition.sql", PLACEMENT, then=BOUNDARIES)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_new_rows_after_rotation(sql):
    """after the rotation, July rows go to July's partition and January rows to the default one"""
    sql.check_after("02_rotate.sql", PLACEMENT, then=BOUNDARIES, after=["01_partition.sql"])
