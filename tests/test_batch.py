"""`grader batch`: a generated class of git repositories graded end to end on real servers.

The instructor's course holds sql-joins and a late policy (10 % per day, at most 50 %, late commits
accepted for 3 days, one student exempt). Each student's repository starts from the student edition
and commits at chosen times (committer dates): on time, late, late with an extension, late but
exempt, a later commit after the window (listed, not graded), a broken submission (syntax error, a
deleted file, an endless query) and one that edits the public checks and adds a conftest.py (which
must not count). The gradebook's values are checked row by row; then the cache (a second run grades
nothing), a regrade, shards merged against the single run, a class folder (the student-edition
layout and flat files), the HTML report in headless Chromium, and the Gradescope package's
run_autograder on a sample submission folder.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.gradescope_spec import validate_gradescope

ROOT = Path(__file__).resolve().parent.parent
LAB = ROOT / "labs" / "sql-joins"
SOLUTION = LAB / ".meta" / "solution" / "queries"
COUNT_STAR = LAB / ".meta" / "wrong" / "count-star" / "queries" / "02_orders_per_customer.sql"
Q = {n: f"labs/sql-joins/queries/{name}" for n, name in [
    (1, "01_orders_with_customers.sql"), (2, "02_orders_per_customer.sql"), (3, "03_customers_without_orders.sql"),
    (4, "04_product_sales.sql")]}
COURSE = """title: t
tracks:
  - id: sql
    title: SQL
    labs: [sql-joins]
late_policy:
  deduction_per_day: 10
  max_deduction: 50
  accept_days: 3
  exempt: [gus]
"""
DEADLINE = "2025-03-01T23:59:00+00:00"
GIT_ENV = {"GIT_AUTHOR_NAME": "s", "GIT_AUTHOR_EMAIL": "s@example.invalid", "GIT_COMMITTER_NAME": "s",
           "GIT_COMMITTER_EMAIL": "s@example.invalid", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
ALWAYS_PASSES = "import pytest\n\n\n@pytest.mark.task(2)\n@pytest.mark.points(50)\ndef test_free(variant):\n    pass\n"
ENDLESS = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r;\n"


def reference(*numbers: int) -> dict[str, Path | str | None]:
    return {Q[n]: SOLUTION / Path(Q[n]).name for n in numbers}


REFERENCE = reference(1, 2, 3, 4)
WRONG = {**REFERENCE, Q[2]: COUNT_STAR}
# student -> commits (committer time, files written; None deletes)
HISTORY: dict[str, list[tuple[str, dict[str, Path | str | None]]]] = {
    "ann": [("2025-02-20T10:00:00Z", REFERENCE)],
    "ben": [("2025-02-25T10:00:00Z", WRONG), ("2025-03-10T10:00:00Z", REFERENCE)],
    "cat": [("2025-03-03T06:00:00Z", REFERENCE)],  # 30 h late: 2 days started
    "dan": [("2025-03-03T06:00:00Z", REFERENCE)],  # the same, with a 2-day extension in the roster
    "eve": [("2025-02-27T10:00:00Z", {**reference(4), Q[1]: "SELEC order_id FROM (", Q[2]: None, Q[3]: ENDLESS})],
    "fay": [("2025-02-26T10:00:00Z", {**WRONG, "labs/sql-joins/tests/test_joins.py": ALWAYS_PASSES,
                                      "labs/sql-joins/conftest.py": ALWAYS_PASSES, "conftest.py": ALWAYS_PASSES})],
    "gus": [("2025-03-02T06:00:00Z", REFERENCE)],  # 1 day late, exempt
}
EXPECTED = {  # student: (status, raw, late days, deduction %, points, commits not graded)
    "ann": ("pass", 18, 0, 0, 18, 0),
    "ben": ("fail", 14, 0, 0, 14, 1),
    "cat": ("pass", 18, 2, 20, 14.4, 0),
    "dan": ("pass", 18, 0, 0, 18, 0),
    "eve": ("fail", 5, 0, 0, 5, 0),
    "fay": ("fail", 14, 0, 0, 14, 0),
    "gus": ("pass", 18, 1, 0, 18, 0),
}


def git(repo: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, **GIT_ENV, **({"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when} if when else {})}
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr


def edition(target: Path) -> None:
    shutil.copytree(LAB, target / "labs" / "sql-joins", ignore=shutil.ignore_patterns(".meta", "__pycache__"))
    (target / "labs" / "course.yaml").write_text(COURSE)


def write(tree: Path, files: dict[str, Path | str | None]) -> None:
    for rel, content in files.items():
        path = tree / rel
        if content is None:
            path.unlink()
        elif isinstance(content, Path):
            shutil.copyfile(content, path)
        else:
            path.write_text(content)


def grader(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GRADER_ROOT": str(course)}
    if "GRADER_BACKEND" not in os.environ and "GRADER_POSTGRES_URL" not in os.environ:
        env["GRADER_BACKEND"] = "local"
    done = subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=course, env=env, capture_output=True,
                          text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def rows(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    with path.open(newline="") as handle:
        return {(row["student"], row["lab"]): row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def school() -> Iterator[dict[str, Path]]:
    base = Path(tempfile.mkdtemp(prefix="grader-batch-test-"))
    base.chmod(0o755)
    course = base / "course"
    shutil.copytree(ROOT / "labs" / "datasets" / "shop", course / "labs" / "datasets" / "shop",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(LAB, course / "labs" / "sql-joins", ignore=shutil.ignore_patterns("__pycache__"))
    (course / "labs" / "course.yaml").write_text(COURSE)
    roster = ["student,repository,extension"]
    for student, commits in HISTORY.items():
        repo = base / "repos" / student
        edition(repo)
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", ".")
        git(repo, "commit", "-q", "-m", "student edition", when="2025-02-01T09:00:00Z")
        for when, files in commits:
            write(repo, files)
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "-m", f"work of {when}", when=when)
        where = f"file://{repo}" if student == "gus" else f"repos/{student}"  # a URL is cloned
        roster.append(f"{student},{where},{2 if student == 'dan' else ''}")
    (base / "roster.csv").write_text("\n".join(roster) + "\n")
    out = base / "out"
    grader(course, "batch", str(base / "roster.csv"), "--deadline", DEADLINE, "--cache", str(base / "cache"),
           "--out", str(out))
    yield {"base": base, "course": course, "out": out}
    shutil.rmtree(base, ignore_errors=True)


def test_the_gradebook_has_the_policy_applied_beside_the_raw_mark(school: dict[str, Path]) -> None:
    book = rows(school["out"] / "gradebook.csv")
    assert sorted(book) == [(s, "sql-joins") for s in sorted(HISTORY)]
    for student, (status, raw, late, deduction, points, later) in EXPECTED.items():
        row = book[(student, "sql-joins")]
        got = (row["status"], float(row["raw_points"]), int(row["late_days"]), float(row["deduction_percent"]),
               float(row["points"]), len(row["not_graded_commits"].split()))
        assert got == (status, raw, late, deduction, points, later), (student, row)
        assert float(row["max_points"]) == 18
    assert "queries/01_orders_with_customers.sql failed in PostgreSQL: syntax error" in book[("eve", "sql-joins")][
        "reason"]
    report = json.loads((school["out"] / "report.json").read_text())
    assert report["graded"] == 3  # identical submissions are graded once: reference, count-star, eve's
    eve = next(e for e in report["entries"] if e["student"] == "eve")
    failed_tasks = {t["task"] for t in eve["result"]["tests"] if t["status"] == "fail"}
    assert failed_tasks == {1, 2, 3}  # the endless query was stopped and failed; the batch finished


def test_edited_checks_and_a_conftest_do_not_count(school: dict[str, Path]) -> None:
    book = rows(school["out"] / "gradebook.csv")
    assert book[("fay", "sql-joins")]["raw_points"] == book[("ben", "sql-joins")]["raw_points"] == "14"


def test_feedback_item_analysis_and_similar_pairs(school: dict[str, Path]) -> None:
    text = (school["out"] / "feedback" / "ben.txt").read_text()
    assert "14/18" in text and "not graded (after the deadline)" in text
    assert "details are not shown" in text  # the hidden check's feedback is withheld
    items = list(csv.DictReader((school["out"] / "items.csv").open()))
    assert (items[0]["task"], items[0]["failed"], items[0]["graded"]) == ("2", "3", "7")
    assert items[0]["most_common_feedback"]
    similar = list(csv.DictReader((school["out"] / "similar.csv").open()))
    pairs = {(p["student"], p["other_student"]): p for p in similar}
    assert pairs[("ben", "fay")]["kind"] == "identical"
    assert pairs[("ann", "cat")]["note"] == "both equal the reference solution"
    assert not any("eve" in pair for pair in pairs)


def test_a_second_run_hits_the_cache_and_regrade_grades_again(school: dict[str, Path]) -> None:
    base, course = school["base"], school["course"]
    again = base / "again.json"
    grader(course, "batch", str(base / "roster.csv"), "--deadline", DEADLINE, "--cache", str(base / "cache"),
           "--json", str(again), "--gradebook", str(base / "again.csv"))
    assert json.loads(again.read_text())["graded"] == 0
    assert (base / "again.csv").read_text() == (school["out"] / "gradebook.csv").read_text()
    regraded = base / "regraded.json"
    grader(course, "batch", str(base / "roster.csv"), "--deadline", DEADLINE, "--cache", str(base / "cache"),
           "--regrade", "ben", "--json", str(regraded), "--gradebook", str(base / "regraded.csv"))
    report = json.loads(regraded.read_text())
    assert report["graded"] == 1
    assert [e["student"] for e in report["entries"] if not e["cached"]] == ["ben"]
    assert (base / "regraded.csv").read_text() == (school["out"] / "gradebook.csv").read_text()


def test_shards_merged_equal_a_single_run(school: dict[str, Path]) -> None:
    base, course = school["base"], school["course"]
    for index in (1, 2):
        grader(course, "batch", str(base / "roster.csv"), "--deadline", DEADLINE, "--cache", str(base / "cache"),
               "--shard", f"{index}/2", "--json", str(base / f"shard{index}.json"))
    first, second = (json.loads((base / f"shard{i}.json").read_text())["students"] for i in (1, 2))
    assert first and second and not set(first) & set(second)
    merged = base / "merged"
    grader(course, "batch", "merge", str(base / "shard1.json"), str(base / "shard2.json"), "--out", str(merged))
    for name in ("gradebook.csv", "items.csv", "similar.csv"):
        assert (merged / name).read_text() == (school["out"] / name).read_text(), name
    assert (merged / "feedback" / "eve.txt").read_text() == (school["out"] / "feedback" / "eve.txt").read_text()


def test_a_class_folder_in_the_edition_layout_or_flat_files(school: dict[str, Path]) -> None:
    base = school["base"]
    folder = base / "class"
    edition(folder / "ann")
    write(folder / "ann", REFERENCE)
    (folder / "zed").mkdir(parents=True)
    for path in SOLUTION.iterdir():  # just the files, uploaded by name
        shutil.copyfile(path, folder / "zed" / path.name)
    shutil.copyfile(COUNT_STAR, folder / "zed" / COUNT_STAR.name)
    grades = base / "grades.csv"
    grader(school["course"], "batch", str(folder), "--labs", "sql-joins", "--gradebook", str(grades),
           "--cache", str(base / "cache"))
    book = rows(grades)
    assert sorted(book) == [("ann", "sql-joins"), ("zed", "sql-joins")]
    assert (book[("ann", "sql-joins")]["points"], book[("zed", "sql-joins")]["points"]) == ("18", "14")


# The HTML report, rendered by headless Chromium ------------------------------------------------------------------
PROBE = """<script>
const out = {};
out.rows = document.querySelectorAll('#gradebook tbody tr').length;
out.cells = [...document.querySelectorAll('#gradebook td[data-student]')].map(td => ({
  student: td.dataset.student, text: td.innerText, width: td.getBoundingClientRect().width}));
out.histograms = [...document.querySelectorAll('svg.histogram')].map(svg => ({lab: svg.dataset.lab,
  width: svg.getBoundingClientRect().width,
  bars: [...svg.querySelectorAll('rect.col')].map(r => [+r.dataset.count, r.getBoundingClientRect().height])}));
out.items = [...document.querySelectorAll('svg.items g.item')].map(g => ({check: g.dataset.check,
  failed: +g.dataset.failed, graded: +g.dataset.graded, bar: g.querySelector('rect.bar').getBoundingClientRect().width,
  track: g.querySelector('rect.track').getBoundingClientRect().width, feedback: g.querySelector('title').textContent}));
out.resources = performance.getEntriesByType('resource').length;
out.text = document.body.innerText;
const pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>"""


def chromium() -> str:
    """Debian's chromium; the test set-up installs it (apt) when it is missing and we are root."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False, capture_output=True, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env, check=False, capture_output=True,
                       timeout=1200)
        found = shutil.which("chromium")
    if found is None:
        pytest.skip("headless Chromium is not installed and cannot be (not root): apt-get install chromium")
    return found


def rendered(browser: str, page: Path) -> dict[str, Any]:
    probe = page.with_name("probe.html")
    probe.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                           "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
                           "--window-size=1200,900", "--virtual-time-budget=3000", "--dump-dom", probe.as_uri()],
                          capture_output=True, text=True, timeout=180, check=False)
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert found, f"Chromium rendered no probe (exit {done.returncode}): {done.stderr[-2000:]}"
    document: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return document


def test_the_html_report_renders_offline_in_chromium(school: dict[str, Path]) -> None:
    page = school["out"] / "report.html"
    source = page.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", source)  # nothing fetched from elsewhere
    shown = rendered(chromium(), page)
    assert shown["resources"] == 0
    assert shown["rows"] == len(HISTORY)
    cells = {c["student"]: c for c in shown["cells"]}
    assert cells["ann"]["text"].startswith("18/18") and "2 d late, raw 18" in cells["cat"]["text"]
    assert all(c["width"] > 0 for c in cells.values())
    (histogram,) = shown["histograms"]
    assert histogram["lab"] == "sql-joins" and histogram["width"] > 0
    counts = [count for count, _ in histogram["bars"]]
    assert counts == [0, 0, 1, 0, 0, 0, 0, 2, 1, 3]  # eve 5, ben and fay 14, cat 14.4 (late), three 18s
    heights = [height for _, height in histogram["bars"]]
    assert heights[9] == max(heights) > heights[7] > heights[8] > 0 and heights[0] == 0
    top = shown["items"][0]
    assert (top["failed"], top["graded"]) == (3, 7) and top["feedback"]
    for item in shown["items"]:
        assert abs(item["bar"] / item["track"] - item["failed"] / item["graded"]) < 0.01
    assert "Similar submissions" in shown["text"] and "both equal the reference solution" in shown["text"]


# Gradescope ------------------------------------------------------------------------------------------------------
def test_the_gradescope_package_grades_a_submission_folder(school: dict[str, Path], tmp_path: Path) -> None:
    package = tmp_path / "autograder.zip"
    grader(school["course"], "gradescope", str(package), "--labs", "sql-joins")
    autograder = tmp_path / "autograder"
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        assert {"setup.sh", "run_autograder"} <= set(names)
        assert "labs/sql-joins/.meta/solution/queries/01_orders_with_customers.sql" in names
        archive.extractall(autograder / "source")
    autograder.chmod(0o755)
    submission = autograder / "submission"
    submission.mkdir()
    for path in SOLUTION.iterdir():  # a flat upload, as Gradescope's file upload gives it
        shutil.copyfile(path, submission / path.name)
    shutil.copyfile(COUNT_STAR, submission / COUNT_STAR.name)
    script = autograder / "source" / "run_autograder"
    env = {**os.environ, "AUTOGRADER_ROOT": str(autograder), "GRADER_PYTHON": sys.executable}
    done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((autograder / "results" / "results.json").read_text())
    validate_gradescope(results)
    assert results["score"] == 14
    numbers = [tuple(int(p) for p in t["number"].split(".")) for t in results["tests"]]
    assert numbers == sorted(numbers)
    failed = {t["name"] for t in results["tests"] if t["status"] == "failed"}
    assert failed and all(name.startswith("task 2:") for name in failed)
