"""The `grader` command end to end on real PostgreSQL (local backend): scores, exit codes, errors."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from grader.services.session import ServicePool
from tests.helpers import copy_of_repo, grader, grader_json


@pytest.fixture
def scratch() -> Iterator[Path]:
    root = copy_of_repo(["sql-joins"])
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_list_json_gives_id_title_track() -> None:
    done = grader("list", "--format", "json")
    assert done.returncode == 0, done.stderr
    import json

    labs = json.loads(done.stdout)
    joins = next(lab for lab in labs if lab["id"] == "sql-joins")
    assert joins.items() >= {"title": "Joining tables", "track": "sql"}.items()
    assert {"best", "max"} <= joins.keys()  # the learner's best score (0 until checked)


def test_list_never_cuts_a_lab_id_on_a_narrow_terminal() -> None:
    """The id is what the learner types next (make lab LAB=…): the table wraps titles, never ids."""
    import json

    ids = [lab["id"] for lab in json.loads(grader("list", "--format", "json").stdout)]
    done = grader("list", env={"COLUMNS": "70"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    shown = [line.split()[0] for line in lines[1:] if line[:1].strip()]  # a title's next lines are indented
    assert shown == ids, (shown, ids)
    wide = grader("list", env={"COLUMNS": "100"}).stdout.splitlines()
    assert all(len(line) <= 100 for line in wide), "titles wrap within the terminal"
    assert [line.split()[0] for line in wide[1:] if line[:1].strip()] == ids


def test_reference_scores_full_marks_and_exit_0() -> None:
    code, report = grader_json("check", "sql-joins", "--solution")
    assert code == 0
    assert report["score"] == report["max_score"] > 0
    lab = report["labs"][0]
    assert lab["id"] == "sql-joins" and lab["status"] == "pass"
    assert {"public", "hidden"} == {t["visibility"] for t in lab["tests"]}
    for test in lab["tests"]:
        assert set(test) >= {"name", "task", "status", "points", "max_points", "message", "visibility"}


def test_starter_scores_less_and_exit_1(scratch: Path) -> None:
    code, report = grader_json("check", "sql-joins", env={"GRADER_ROOT": str(scratch)})
    assert code == 1
    assert report["score"] < report["max_score"]
    messages = [t["message"] for t in report["labs"][0]["tests"]]
    assert any("has no SQL yet" in m for m in messages)


def test_unknown_lab_is_a_usage_error_with_a_suggestion() -> None:
    done = grader("check", "sql-join")
    assert done.returncode == 2
    assert "no lab named 'sql-join'" in done.stderr and "sql-joins" in done.stderr
    assert "Traceback" not in done.stderr


def test_broken_lab_yaml_names_file_field_and_fix(scratch: Path) -> None:
    spec = scratch / "labs" / "sql-joins" / "lab.yaml"
    spec.write_text(spec.read_text().replace("services:", "servises:"))
    done = grader("check", "sql-joins", env={"GRADER_ROOT": str(scratch)})
    assert done.returncode == 2
    assert "lab.yaml" in done.stderr and "servises" in done.stderr and "services" in done.stderr
    assert "Traceback" not in done.stderr


def test_sql_syntax_error_is_the_learners_failure_with_the_server_message(scratch: Path) -> None:
    lab = scratch / "labs" / "sql-joins"
    shutil.copytree(lab / ".meta" / "solution" / "queries", lab / "queries", dirs_exist_ok=True)
    (lab / "queries" / "01_orders_with_customers.sql").write_text("SELEC id FROM orders;")
    code, report = grader_json("check", "sql-joins", env={"GRADER_ROOT": str(scratch)})
    assert code == 1
    task1 = [t for t in report["labs"][0]["tests"] if t["task"] == 1]
    assert all(t["status"] == "fail" for t in task1)
    assert "syntax error" in task1[0]["message"] and "42601" in task1[0]["message"]
    assert all(t["status"] == "pass" for t in report["labs"][0]["tests"] if t["task"] != 1)


def test_endless_query_is_stopped_by_the_statement_timeout(scratch: Path) -> None:
    lab = scratch / "labs" / "sql-joins"
    spec = lab / "lab.yaml"
    spec.write_text(spec.read_text().replace("statement_timeout_ms: 3000", "statement_timeout_ms: 300"))
    (lab / "queries" / "02_orders_per_customer.sql").write_text(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT * FROM n;"
    )
    code, report = grader_json("check", "sql-joins", env={"GRADER_ROOT": str(scratch)})
    assert code == 1
    task2 = [t for t in report["labs"][0]["tests"] if t["task"] == 2]
    assert task2 and all(t["status"] == "fail" for t in task2)
    assert "statement_timeout" in task2[0]["message"]


def test_missing_service_is_a_grader_error_not_a_failure() -> None:
    env = {"GRADER_BACKEND": "url", "GRADER_POSTGRES_URL": "postgresql://nobody:x@127.0.0.1:9/none"}
    code, report = grader_json("check", "sql-joins", "--solution", env=env)
    assert code == 2
    lab = report["labs"][0]
    assert lab["status"] == "error"
    assert "GRADER_POSTGRES_URL" in lab["message"]
    assert all(t["status"] != "fail" for t in lab["tests"])


def test_submission_folder_is_graded_instead_of_the_lab_folder(tmp_path: Path) -> None:
    lab = Path("labs/sql-joins/.meta")
    shutil.copytree(lab / "solution", tmp_path, dirs_exist_ok=True)
    shutil.copytree(lab / "wrong" / "count-star", tmp_path, dirs_exist_ok=True)
    code, report = grader_json("check", "sql-joins", "--submission", str(tmp_path))
    assert code == 1
    failed = {t["task"] for t in report["labs"][0]["tests"] if t["status"] == "fail"}
    assert failed == {2}


def test_learner_sql_runs_without_superuser_rights(scratch: Path) -> None:
    lab = scratch / "labs" / "sql-joins"
    shutil.copytree(lab / ".meta" / "solution" / "queries", lab / "queries", dirs_exist_ok=True)
    (lab / "queries" / "03_customers_without_orders.sql").write_text("SELECT pg_read_file('/etc/passwd');")
    _, report = grader_json("check", "sql-joins", env={"GRADER_ROOT": str(scratch)})
    task3 = [t for t in report["labs"][0]["tests"] if t["task"] == 3]
    assert "permission denied" in task3[0]["message"]


def test_role_settings_a_learner_changes_do_not_outlive_the_run(pool: ServicePool) -> None:
    from grader.isolation.postgres import LEARNER_ROLE, PostgresIsolation

    admin = pool.get("postgres").url
    isolation = PostgresIsolation(admin)
    isolation.ensure_learner_role()
    database = isolation.create_copy(None)
    try:
        with psycopg.connect(isolation.learner_url(database, 1000), autocommit=True) as learner:
            learner.execute(f"ALTER ROLE {LEARNER_ROLE} SET enable_seqscan = off")
        isolation.ensure_learner_role()  # what the next run does first
        with psycopg.connect(isolation.learner_url(database, 1000)) as learner:
            assert learner.execute("SHOW enable_seqscan").fetchone() == ("on",)
    finally:
        isolation.drop(database)


def test_public_checks_are_rerun_on_hidden_data_only_where_there_is_hidden_data() -> None:
    _, with_dataset = grader_json("check", "sql-joins", "--solution")
    names = [t["name"] for t in with_dataset["labs"][0]["tests"]]
    assert any(name.endswith("(hidden data)") for name in names)
    _, without = grader_json("check", "sql-ddl-constraints", "--solution")  # no dataset, no seed
    names = [t["name"] for t in without["labs"][0]["tests"]]
    assert names and not any(name.endswith("(hidden data)") for name in names), names
    assert len(names) == len(set(names)), "a check was counted twice"
