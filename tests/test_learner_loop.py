"""The learner's loop end to end on real servers: check --task, progress and "next:", hints in levels,
reset from git, shell, watch (driven by real file writes, on a pty), completion, and the small fixes.

The `grader` command runs in a subprocess on a git copy of the course holding sql-joins and
sql-aggregates (sql-joins is its prerequisite); the servers are the session's, reached by URL.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.services.session import ServicePool
from tests.helpers import ROOT, copy_of_repo, grader

JOINS = "labs/sql-joins"
SOLUTION = ROOT / JOINS / ".meta" / "solution" / "queries"
COURSE = """title: test
tracks:
  - id: sql
    title: SQL
    labs: [sql-joins, sql-aggregates]
  - id: redis
    title: Redis
    labs: [redis-data-structures]
prerequisites:
  sql-aggregates: [sql-joins]
"""


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.org", *args], cwd=root,
                   check=True, capture_output=True)


@pytest.fixture(scope="module")
def urls(pool: ServicePool) -> dict[str, str]:
    return {"GRADER_POSTGRES_URL": pool.get("postgres").url, "GRADER_REDIS_URL": pool.get("redis").url}


@pytest.fixture
def course(urls: dict[str, str]) -> Iterator[tuple[Path, dict[str, str]]]:
    root = copy_of_repo(["sql-joins", "sql-aggregates", "redis-data-structures"])
    (root / "labs" / "course.yaml").write_text(COURSE)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "course")
    env = {**urls, "GRADER_ROOT": str(root), "COLUMNS": "200"}
    yield root, env
    grader("services", "down", env=env)  # shell and reset --db keep playground servers warm
    shutil.rmtree(root, ignore_errors=True)


def solve(root: Path, *tasks: int) -> None:
    for task in tasks:
        source = next(SOLUTION.glob(f"{task:02d}_*.sql"))
        shutil.copy(source, root / JOINS / "queries" / source.name)


def progress_of(root: Path) -> dict[str, object]:
    return json.loads((root / ".grader" / "progress.json").read_text())  # type: ignore[no-any-return]


def test_check_records_progress_says_next_and_unlocks_the_next_lab(course: tuple[Path, dict[str, str]]) -> None:
    root, env = course
    solve(root, 1, 2, 4)
    done = grader("check", "sql-joins", env=env)
    assert done.returncode == 1, done.stderr
    assert "next: task 3 (Customers who never ordered)" in done.stdout
    assert "grader hint sql-joins 3" in done.stdout and "a hint exists" in done.stdout
    assert "NOT EXISTS" not in done.stdout, "failures say a hint exists instead of printing it"
    assert done.stdout.index("What to fix") < done.stdout.index("next:")
    entry = progress_of(root)["labs"]["sql-joins"]  # type: ignore[index]
    assert entry["tasks"] == {"1": "pass", "2": "pass", "3": "fail", "4": "pass"}
    assert 0 < entry["best"] < entry["max"] and entry["best_at"]
    first_best = entry["best"]

    solve(root, 3)
    done = grader("check", "sql-joins", env=env)
    assert done.returncode == 0, done.stdout
    assert "next: sql-joins is done. Next lab: sql-aggregates" in done.stdout
    assert "make lab LAB=sql-aggregates" in done.stdout
    entry = progress_of(root)["labs"]["sql-joins"]  # type: ignore[index]
    assert entry["best"] == entry["max"] > first_best

    shown = json.loads(grader("progress", "--format", "json", env=env).stdout)
    labs = {lab["id"]: lab for track in shown["tracks"] for lab in track["labs"]}
    assert labs["sql-joins"]["done"] and labs["sql-aggregates"]["unlocked"] and not labs["sql-aggregates"]["done"]
    assert shown["current"] == "sql-joins"
    text = grader("progress", env=env).stdout
    assert "sql-joins ←" in text and "1 of 3 labs done" in text
    listed = grader("list", "--format", "json", env=env)
    joins = next(lab for lab in json.loads(listed.stdout) if lab["id"] == "sql-joins")
    assert joins["best"] == joins["max"] == entry["max"]


def test_locked_lab_names_its_missing_prerequisite(course: tuple[Path, dict[str, str]]) -> None:
    _, env = course
    text = grader("progress", env=env).stdout
    assert re.search(r"sql-aggregates .*locked: needs sql-joins", text), text


def test_hints_come_in_levels_one_per_call(course: tuple[Path, dict[str, str]]) -> None:
    root, env = course
    first = grader("hint", "sql-joins", "2", env=env)
    assert first.returncode == 0, first.stderr
    assert "hint 1/3" in first.stdout and "hint 2/3" not in first.stdout and "2 more" in first.stdout
    second = grader("hint", "sql-joins", "2", env=env)
    assert "hint 1/3" in second.stdout and "hint 2/3" in second.stdout and "1 more" in second.stdout
    state = json.loads((root / ".grader" / "hints.json").read_text())
    assert state == {"sql-joins": {"2": 2}}
    everything = grader("hint", "sql-joins", "--all", env=env)
    assert all(f"task {n} (" in everything.stdout for n in (1, 2, 3, 4)) and "hint 3/3" in everything.stdout
    # a lab whose lab.yaml gives one string per task: one level
    single = grader("hint", "redis-data-structures", "5", env=env)
    assert "hint 1/1" in single.stdout and "that is every hint" in single.stdout
    wrong = grader("hint", "sql-joins", "9", env=env)
    assert wrong.returncode == 2 and "no task 9" in wrong.stderr and "1, 2, 3, 4" in wrong.stderr


def test_check_task_grades_one_task_and_feedback_shows_revealed_hints(course: tuple[Path, dict[str, str]]) -> None:
    root, env = course
    grader("hint", "sql-joins", "1", env=env)
    done = grader("check", "sql-joins", "--task", "1", "--output", str(root / "report.json"), env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    tests = json.loads((root / "report.json").read_text())["labs"][0]["tests"]
    assert tests and {t["task"] for t in tests} == {1}
    assert {t["visibility"] for t in tests} == {"public", "hidden"}
    assert "hint 1/3: Guest orders have no customer" in done.stdout
    assert "another hint exists: grader hint sql-joins 1" in done.stdout
    assert "Shape:" not in done.stdout, "levels not asked for stay hidden"
    assert progress_of(root)["labs"]["sql-joins"]["tasks"] == {"1": "fail"}  # type: ignore[index]
    assert progress_of(root)["labs"]["sql-joins"]["best_at"] == "", "a part of the checks is no score"  # type: ignore[index]
    wrong = grader("check", "sql-joins", "--task", "9", env=env)
    assert wrong.returncode == 2 and "no task 9" in wrong.stderr


def test_reset_restores_the_committed_starter_and_keeps_a_backup(course: tuple[Path, dict[str, str]]) -> None:
    root, env = course
    query = root / JOINS / "queries" / "01_orders_with_customers.sql"
    starter = query.read_text()
    mine = "SELECT 1 AS my_own_work;\n"
    query.write_text(mine)
    done = grader("reset", "sql-joins", "--files", env=env)
    assert done.returncode == 0, done.stderr
    assert query.read_text() == starter
    backups = list((root / ".grader" / "backups" / "sql-joins").glob("*/queries/01_orders_with_customers.sql"))
    assert len(backups) == 1 and backups[0].read_text() == mine
    assert "your version is kept in .grader/backups/sql-joins/" in done.stdout


def test_reset_db_reseeds_the_playground(course: tuple[Path, dict[str, str]]) -> None:
    _, env = course
    shell = ["shell", "sql-joins"]
    changed = subprocess.run([sys.executable, "-m", "grader.cli", *shell], input="DELETE FROM order_items;\n",
                             env={**os.environ, **env}, capture_output=True, text=True, timeout=300, check=False)
    assert changed.returncode == 0, changed.stderr
    count = "SELECT count(*) AS n FROM order_items;\n"
    emptied = subprocess.run([sys.executable, "-m", "grader.cli", *shell], input=count, env={**os.environ, **env},
                             capture_output=True, text=True, timeout=300, check=False)
    assert re.search(r"^\s*0\s*$", emptied.stdout, re.MULTILINE), emptied.stdout
    done = grader("reset", "sql-joins", "--db", env=env)
    assert done.returncode == 0 and "playground re-seeded" in done.stdout, done.stderr
    again = subprocess.run([sys.executable, "-m", "grader.cli", *shell], input=count, env={**os.environ, **env},
                           capture_output=True, text=True, timeout=300, check=False)
    rows = re.search(r"^\s*(\d+)\s*$", again.stdout, re.MULTILINE)
    assert rows and int(rows.group(1)) > 0, again.stdout


def test_redis_shell_speaks_commands_as_redis_cli_prints_them(course: tuple[Path, dict[str, str]]) -> None:
    _, env = course
    emptied = grader("reset", "redis-data-structures", "--db", env=env)  # the playground db persists: start empty
    assert emptied.returncode == 0 and "redis: playground emptied" in emptied.stdout, emptied.stderr
    lines = "SET greeting hello\nGET greeting\nRPUSH q a b\nLRANGE q 0 -1\nGET missing\nKEYS *\nquit\n"
    done = subprocess.run([sys.executable, "-m", "grader.cli", "shell", "redis-data-structures"], input=lines,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert 'OK\n"hello"\n(integer) 2\n1) "a"\n2) "b"\n(nil)\n(error)' in done.stdout, done.stdout
    assert "use SCAN" in done.stdout


class Screen:
    """A process on a pty, its output collected by a thread, ANSI sequences stripped."""

    ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        import pty

        master, follower = pty.openpty()
        self.master = master
        self.process = subprocess.Popen(args, stdin=follower, stdout=follower, stderr=follower, env=env,
                                        start_new_session=True)
        os.close(follower)
        self.text = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.text += self.ANSI.sub("", chunk.decode(errors="replace"))

    def wait_for(self, needle: str, after: int = 0, timeout: float = 240) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.text.find(needle, after)
            if found >= 0:
                return found
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"{needle!r} did not appear; the screen so far:\n{self.text[-4000:]}")


def test_watch_regrades_on_save_and_says_what_changed(course: tuple[Path, dict[str, str]]) -> None:
    root, env = course
    screen = Screen([sys.executable, "-m", "grader.cli", "watch", "sql-joins"], {**os.environ, **env})
    try:
        first = screen.wait_for("Ctrl-C to stop")
        screen.wait_for("next: task 1", first)
        mark = len(screen.text)
        solve(root, 1)  # a real file write, as an editor's save
        changed = screen.wait_for("task 1 now passes", mark)
        assert screen.text.find("01_orders_with_customers.sql", mark) >= 0
        screen.wait_for("next: task 2", changed)
        mark = len(screen.text)
        (root / JOINS / "README.md").write_text("not a submission file\n")  # ignored: only submission files count
        time.sleep(2)
        assert "grading" not in screen.text[mark:]
        os.killpg(screen.process.pid, signal.SIGINT)  # what Ctrl-C on the terminal sends
        assert screen.process.wait(timeout=60) == 0
        screen.wait_for("stopped watching", mark)
        assert "stopped the servers" not in screen.text, "it started none: the servers came by URL"
        assert "Traceback" not in screen.text
    finally:
        if screen.process.poll() is None:
            os.killpg(screen.process.pid, signal.SIGKILL)
        os.close(screen.master)
    assert progress_of(root)["labs"]["sql-joins"]["tasks"]["1"] == "pass"  # type: ignore[index]


def test_watch_without_a_lab_takes_the_lab_you_are_on_or_says_what_to_do(course: tuple[Path, dict[str, str]]) -> None:
    _, env = course
    done = grader("watch", env=env)
    assert done.returncode == 2 and "grader watch sql-joins" in done.stderr and "Traceback" not in done.stderr


def test_completion_script_and_lab_ids(course: tuple[Path, dict[str, str]]) -> None:
    _, env = course
    script = grader("completion", "bash", env=env)
    assert script.returncode == 0 and "_GRADER_COMPLETE" in script.stdout and "complete " in script.stdout
    completing = {**env, "_GRADER_COMPLETE": "bash_complete", "COMP_WORDS": "grader check sql-j", "COMP_CWORD": "2"}
    labs = grader(env=completing)
    assert "sql-joins" in labs.stdout and "redis-data-structures" not in labs.stdout
    commands = grader(env={**completing, "COMP_WORDS": "grader wa", "COMP_CWORD": "1"})
    assert "watch" in commands.stdout


def test_small_output_fixes(course: tuple[Path, dict[str, str]]) -> None:
    _, env = course
    version = grader("--version", env=env)
    assert version.returncode == 0 and re.match(r"grader, version \d", version.stdout)
    nothing = grader("check", env=env)
    assert nothing.returncode == 2 and "which lab?" in nothing.stderr and "grader list" in nothing.stderr
    redis = grader("check", "redis", env=env)
    assert redis.returncode == 2 and "did you mean 'redis-data-structures'?" in redis.stderr


def test_mongo_lab_without_a_server_prints_the_task_and_the_ways_to_get_one() -> None:
    root = copy_of_repo(["mongo-crud-query"])
    try:
        env = {"PATH": str(Path(sys.executable).parent), "DOCKER_HOST": "unix:///nonexistent/docker.sock",
               "GRADER_MONGODB_BACKEND": "", "GRADER_BACKEND": "", "GRADER_MONGODB_URL": "", "GRADER_MONGOD": "",
               "GRADER_ROOT": str(root), "COLUMNS": "200"}
        done = grader("start", "mongo-crud-query", env=env)
        assert done.returncode == 2
        title = (root / "labs" / "mongo-crud-query" / "lab.yaml").read_text().split("title:")[1].splitlines()[0]
        assert title.strip() in done.stdout, "the task is printed first"
        paragraph = " ".join(done.stderr.split())
        for way in ("mongod", "start Docker", "GRADER_MONGODB_URL", "GRADER_MONGODB_BACKEND=emulated",
                    "NOT a real MongoDB server"):
            assert way in paragraph, f"{way} missing from: {paragraph}"
        assert "Traceback" not in done.stdout + done.stderr
    finally:
        shutil.rmtree(root, ignore_errors=True)
