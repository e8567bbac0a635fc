"""A throw-away course for the hostile-submission suite: two tiny labs written for it, so each
attack is graded in seconds on the real servers, without grading the whole course.

`sql-target`: three query files over a five-row table (statement timeout 1 s); `py-target`: a
Python module with a Redis and a PostgreSQL connection (call timeout 2 s). Their references score
100 % (tested), so any crash of a check is the submission's doing.
"""

from __future__ import annotations

import shutil
import tempfile
import textwrap
from pathlib import Path

HIDDEN_LINE = 'assert submission.call("double", 21) == 42, "hidden: the double of twenty-one"'

GENERATOR = '''
def postgres_sql(variant):
    shift = {"public": 0, "hidden": 100}[variant]
    rows = ", ".join(f"({i + shift}, 'item {i}', {i * 10})" for i in range(1, 6))
    return f"CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, price integer NOT NULL);" \\
           f"INSERT INTO items VALUES {rows};"
'''

SQL_CHECKS = '''
import pytest


@pytest.mark.task(1)
def test_total(sql):
    """the total of all prices"""
    sql.check("queries/01_total.sql")


@pytest.mark.task(2)
def test_cheapest(sql):
    """the cheapest item's name"""
    rows = sql.run("queries/02_cheapest.sql").rows
    expected = sql.run("queries/02_cheapest.sql", "reference").rows
    assert rows[0][0] == expected[0][0], "not the cheapest item"


@pytest.mark.task(3)
def test_count(sql):
    """the number of items"""
    sql.check("queries/03_count.sql")


@pytest.mark.task(3)
def test_items_unchanged_and_schema(sql):
    """the table the checks read still holds the seed rows"""
    assert sql.query("SELECT count(*) FROM items").rows[0][0] == 5, "items changed"
    assert set(sql.columns("items")) == {"id", "name", "price"}
'''

PY_CHECKS = '''
import pytest


@pytest.mark.task(1)
def test_double(submission):
    """doubling a number"""
    assert submission.call("double", 2) == 4


@pytest.mark.task(1)
def test_double_again(submission):
    """doubling another number"""
    assert submission.call("double", 5) == 10


@pytest.mark.task(2)
def test_remember(submission, redis_db):
    """a value kept in Redis"""
    submission.call("remember", "k", "v", inject="redis")
    assert redis_db.get("k") == "v"


@pytest.mark.task(3)
def test_count_items(submission):
    """counting the items in PostgreSQL"""
    assert submission.call("count_items", inject="postgres") == 5
'''

PY_HIDDEN = f'''
def test_hidden_double(submission):
    """doubling on hidden data"""
    {HIDDEN_LINE}
'''

PY_SOLUTION = '''
def double(x):
    return 2 * x


def remember(r, key, value):
    r.set(key, value)


def count_items(conn):
    return conn.execute("SELECT count(*) FROM items").fetchone()[0]
'''

REFERENCE_SQL = {
    "queries/01_total.sql": "SELECT sum(price) AS total FROM items;\n",
    "queries/02_cheapest.sql": "SELECT name FROM items ORDER BY price, id LIMIT 1;\n",
    "queries/03_count.sql": "SELECT count(*) AS n FROM items;\n",
}


def _write(folder: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def make_course() -> Path:
    root = Path(tempfile.mkdtemp(prefix="grader-hostile-"))
    root.chmod(0o755)  # local servers run as an unprivileged account
    labs = root / "labs"
    _write(labs, {
        "course.yaml": "title: hostile\ntracks:\n  - {id: t, title: T, labs: [sql-target, py-target]}\n",
        "datasets/tiny/generator.py": GENERATOR,
        "sql-target/README.md": "# SQL target\n\n## 1.\n",
        "sql-target/lab.yaml": "title: SQL target\ntrack: t\nservices: [postgres]\ndataset: tiny\n"
                               "submission: [queries/01_total.sql, queries/02_cheapest.sql, queries/03_count.sql]\n"
                               "limits: {statement_timeout_ms: 1000, lab_timeout_s: 90}\n",
        "sql-target/tests/test_queries.py": SQL_CHECKS,
        **{f"sql-target/{rel}": "-- write your query here\n" for rel in REFERENCE_SQL},
        **{f"sql-target/.meta/solution/{rel}": text for rel, text in REFERENCE_SQL.items()},
        "py-target/README.md": "# Python target\n\n## 1.\n",
        "py-target/lab.yaml": "title: Python target\ntrack: t\nservices: [redis, postgres]\ndataset: tiny\n"
                              "submission: [solution.py]\n"
                              "limits: {worker_timeout_s: 2, lab_timeout_s: 90, memory_mb: 256}\n",
        "py-target/tests/test_solution.py": PY_CHECKS,
        "py-target/.meta/hidden/test_hidden.py": PY_HIDDEN,
        "py-target/solution.py": "def double(x):\n    return 0\n",
        "py-target/.meta/solution/solution.py": PY_SOLUTION,
    })
    return root


def submission(root: Path, lab: str, files: dict[str, str]) -> Path:
    """A submission folder: the reference with `files` laid over it (what a learner hands in)."""
    folder = Path(tempfile.mkdtemp(prefix="hostile-sub-", dir=root))
    folder.chmod(0o755)
    shutil.copytree(root / "labs" / lab / ".meta" / "solution", folder, dirs_exist_ok=True)
    _write(folder, files)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return folder
