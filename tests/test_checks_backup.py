"""Running learner shell scripts (grader/worker/scripts.py) and judging restores (grader/checks/backup.py):
only the given environment, a timeout that kills what the script started, capped output, the client
tools of the server's version, and a snapshot comparison that names what a restore lost."""

from __future__ import annotations

import time
from pathlib import Path

from grader.checks.backup import Snapshot, learner_environment
from grader.services.postgres import client_bindir
from grader.worker.scripts import MAX_OUTPUT_CHARS, run_script


def script(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.sh"
    path.write_text(text)
    return path


def test_a_script_sees_only_the_environment_it_is_given(tmp_path: Path) -> None:
    run = run_script(script(tmp_path, 'echo "$PGUSER|${HOME_SECRET:-unset}|$1"; pwd'), ["arg"],
                     {"PATH": "/usr/bin:/bin", "PGUSER": "learner"}, tmp_path, 10)
    assert run.ok and run.output.splitlines() == ["learner|unset|arg", str(tmp_path)]


def test_a_timeout_kills_the_script_and_what_it_started(tmp_path: Path) -> None:
    marker = tmp_path / "still-running"
    started = time.monotonic()
    run = run_script(script(tmp_path, f"(sleep 3; touch {marker}) & sleep 30"), [], {"PATH": "/usr/bin:/bin"},
                     tmp_path, 0.5)
    assert run.exit_code is None and time.monotonic() - started < 10
    time.sleep(3.5)
    assert not marker.exists(), "the script's background job survived the timeout"


def test_output_is_capped_and_exit_status_kept(tmp_path: Path) -> None:
    run = run_script(script(tmp_path, "yes x | head -c 200000; echo; echo last line; exit 3"), [],
                     {"PATH": "/usr/bin:/bin"}, tmp_path, 10)
    assert run.exit_code == 3 and not run.ok
    assert len(run.output) <= MAX_OUTPUT_CHARS and run.output.endswith("last line")


def test_learner_environment_is_the_connection_and_the_tools(tmp_path: Path) -> None:
    env = learner_environment("postgresql://grader_learner:p%40ss@127.0.0.1:5433/db1?options=-c%20x%3D1",
                              Path("/opt/pg/bin"), tmp_path)
    assert env["PGPASSWORD"] == "p@ss" and env["PGPORT"] == "5433" and env["PGDATABASE"] == "db1"
    assert env["PATH"].startswith("/opt/pg/bin:") and "GRADER" not in " ".join(env)


def test_client_tools_match_or_exceed_the_server_version() -> None:
    for major in (15, 18):
        folder = client_bindir(major)
        if folder is not None:
            assert (folder / "pg_dump").is_file()
    assert client_bindir(99) is None


def test_snapshot_differences_name_what_a_restore_lost() -> None:
    before = Snapshot(rows={"orders": [(1,), (2,)], "audit_log": []}, sequences={"orders_id_seq": 9},
                      constraints={("orders", "orders_pkey"): "PRIMARY KEY (id)"},
                      indexes={("orders", "orders_at_idx"): "CREATE INDEX …"},
                      defaults={("orders", "id"): "nextval('orders_id_seq'::regclass)"}, owners={})
    after = Snapshot(rows={"orders": [(1,), (2,)], "audit_log": []}, sequences={}, constraints={},
                     indexes={}, defaults={}, owners={})
    problems = before.differences(after, only={"orders"})
    assert any("sequence orders_id_seq is missing" in p for p in problems)
    assert any("orders_pkey" in p for p in problems) and any("orders_at_idx" in p for p in problems)
    assert before.differences(before) == []
    moved = Snapshot(rows={"orders": [(1,)], "audit_log": []}, sequences={"orders_id_seq": 2},
                     constraints=before.constraints, indexes=before.indexes, defaults=before.defaults, owners={})
    shown, hidden = before.differences(moved), before.differences(moved, reveal=False)
    assert any("at 2, expected 9" in p for p in shown) and any("1 rows, it had 2" in p for p in shown)
    assert len(hidden) == 2 and not any(ch.isdigit() for p in hidden for ch in p.replace("orders_id_seq", ""))
    assert before.differences(after, only={"audit_log"}) == []
