"""Public checks for pg-backup-restore: the scripts run with the server's own pg_dump/pg_restore and
the learner role's connection only; what they bring back is compared with a snapshot taken before
the damage (grader/checks/backup.py). In every check `audit_log` belongs to another role, as in
production; tasks 2 and 3 start from a dump made by the reference backup.sh.
"""

import pytest

from grader.checks.backup import ClientScripts, Snapshot, admin, drop_role, emptied, foreign_owner, workdir
from grader.checks.problems import GraderFault, Mismatch
from grader.isolation.postgres import LEARNER_ROLE


def restore_problems(expected, restored, what, reveal, only=None):
    problems = expected.differences(restored, only, reveal)
    if problems:
        raise Mismatch(f"after {what}: " + "; ".join(problems[:6]) + (" …" if len(problems) > 6 else ""))


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_backup_is_a_custom_format_archive(sql):
    """backup.sh writes a pg_dump custom-format archive"""
    scripts = ClientScripts(sql)
    live = sql.fresh()
    with workdir() as folder, foreign_owner(live, "audit_log"):
        dump = folder / "opsdb.dump"
        scripts.run("backup.sh", "submission", live, [str(dump)], folder)
        assert dump.is_file(), "backup.sh exited 0 but wrote no file at the path given as its first argument"
        head = dump.read_bytes()[:5]
    assert head == b"PGDMP", (
        "backup.sh wrote a file that is not a custom-format archive (it does not start with PGDMP): use "
        "pg_dump --format=custom (-Fc). A plain SQL dump can only be replayed whole with psql; pg_restore "
        "cannot list it or restore a single table from it")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_backup_holds_the_whole_database(sql):
    """the backup restores (with the reference restore.sh) to the same rows, sequences and schema"""
    scripts = ClientScripts(sql)
    live = sql.fresh()
    with workdir() as folder, foreign_owner(live, "audit_log"):
        expected = Snapshot.read(live.admin_url)
        dump = folder / "opsdb.dump"
        scripts.run("backup.sh", "submission", live, [str(dump)], folder)
        target = emptied(sql.fresh())
        try:
            scripts.run("restore.sh", "reference", target, [str(dump)], folder)
        except GraderFault as exc:  # the reference restore cannot read what backup.sh wrote
            raise Mismatch(f"the backup written by backup.sh cannot be restored with pg_restore: {exc}") from None
    restore_problems(expected, Snapshot.read(target.admin_url), "restoring what backup.sh wrote", sql.reveal)


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_restore_into_a_new_cluster(sql):
    """restore.sh rebuilds the database where audit_log's owner role does not exist"""
    scripts = ClientScripts(sql)
    live = sql.fresh()
    with workdir() as folder, foreign_owner(live, "audit_log") as role:
        expected = Snapshot.read(live.admin_url)
        dump = folder / "opsdb.dump"
        scripts.run("backup.sh", "reference", live, [str(dump)], folder)
        drop_role(live, role)  # the recovery cluster has no such role
        target = emptied(sql.fresh())
        scripts.run("restore.sh", "submission", target, [str(dump)], folder)
    restored = Snapshot.read(target.admin_url)
    restore_problems(expected, restored, "restore.sh", sql.reveal)
    others = sorted(f"{name} ({owner})" for name, owner in restored.owners.items() if owner != LEARNER_ROLE)
    assert not others, f"after restore.sh, objects belong to other roles than the one that restored them: {others}"


def drop_and_restore(sql, table):
    """Back up, keep working (new rows elsewhere), drop `table`, run restore_table.sh; compare."""
    scripts = ClientScripts(sql)
    live = sql.fresh()
    with workdir() as folder, foreign_owner(live, "audit_log"):
        dump = folder / "opsdb.dump"
        scripts.run("backup.sh", "reference", live, [str(dump)], folder)
        live.query("INSERT INTO customers (email, name, region) "
                   "VALUES ('after.backup@example.org', 'Late Comer', 'eu')")
        if table != "audit_log":
            # audit_log belongs to another role (the learner roles may only read it): written as administrator
            admin(live, "INSERT INTO public.audit_log (at, actor, message) VALUES (now(), 'ops', 'after the backup')")
        expected = Snapshot.read(live.admin_url)
        live.query(f"DROP TABLE {table} CASCADE")
        scripts.run("restore_table.sh", "submission", live, [str(dump), table], folder)
        restored = Snapshot.read(live.admin_url)
    restore_problems(expected, restored, f"restore_table.sh … {table}", sql.reveal, only={table})
    untouched = expected.differences(restored, set(expected.rows) - {table}, sql.reveal)
    assert not untouched, (f"restore_table.sh … {table} changed other tables: {'; '.join(untouched[:4])}. "
                           "Rows written after the backup must survive: restore only the dropped table")


@pytest.mark.task(3)
@pytest.mark.points(4)
def test_restore_one_dropped_table(sql):
    """restore_table.sh brings back a dropped orders with its rows, keys, index, FK and sequence"""
    drop_and_restore(sql, "orders")
