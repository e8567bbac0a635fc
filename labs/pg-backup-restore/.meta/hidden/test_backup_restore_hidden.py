"""Hidden checks for pg-backup-restore: another dropped table (audit_log, owned by another role)."""

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "backup_public_checks", Path(__file__).resolve().parents[2] / "tests" / "test_backup_restore.py")
public = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(public)


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_restore_another_dropped_table(sql):
    """restore_table.sh brings back a dropped audit_log (owned by another role) with its sequence and index"""
    public.drop_and_restore(sql, "audit_log")
