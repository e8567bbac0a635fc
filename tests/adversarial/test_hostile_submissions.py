"""Hostile submissions, one test per attack class of the threat model ("Hostile submissions"):
each is graded on the real servers and must stay below full marks (or fail the learner), never run
as superuser, leave nothing running or stored, and show no secret in any report (conftest.py)."""

from __future__ import annotations

import time

import pytest

from tests.adversarial.conftest import MARKER_ROLE, TOKEN, Grade, Servers, full_marks
from tests.adversarial.course import HIDDEN_LINE, REFERENCE_SQL

STATUSES_OF_A_LEARNER_FAULT = {"fail"}


def statuses(result: object) -> set[str]:
    return {t.status for t in result.tests}  # type: ignore[attr-defined]


def test_the_references_score_full_marks(grade_hostile: Grade) -> None:
    for lab in ("sql-target", "py-target"):
        result = grade_hostile(lab, {})
        assert result.status == "pass" and full_marks(result), (lab, result.message, result.tests)


# 1. Learner Python fakes a score -------------------------------------------------------------
FAKE_SCORE = '''
import glob, json, os, signal

def _steal():
    """Everything a hostile module tries: the context and results path, the reference, the parent."""
    found = []
    for pattern in ["/proc/*/cmdline"]:
        for path in glob.glob(pattern):
            try:
                found.append(open(path, "rb").read().replace(b"\\0", b" ").decode())
            except OSError:
                pass
    for line in found:
        for word in line.split():
            if word.startswith("--grader-context="):
                try:
                    json.load(open(word.split("=", 1)[1]))
                except Exception:
                    pass
    for candidate in glob.glob("/tmp/*/context.json") + glob.glob("/**/.meta/solution/solution.py", recursive=False):
        try:
            open(candidate).read()
            print("READ", candidate)
        except OSError:
            pass
    return found

def double(x):
    _steal()
    try:
        import importlib.util, pathlib
        for path in pathlib.Path("/").glob("*/*/labs/py-target/.meta/solution/solution.py"):
            spec = importlib.util.spec_from_file_location("ref", path)
            module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
            return module.double(x)
    except Exception:
        pass
    os.kill(os.getppid(), signal.SIGKILL)  # the checks' process: its results would be lost
    return 0

def remember(r, key, value):
    os.kill(os.getppid(), signal.SIGKILL)

def count_items(conn):
    return 0
'''


def test_learner_python_cannot_fake_a_score(grade_hostile: Grade) -> None:
    result = grade_hostile("py-target", {"solution.py": FAKE_SCORE})
    assert not full_marks(result)
    assert result.status == "fail", (result.message, result.tests)  # the learner's fail, not an error


def test_killing_the_checks_process_fails_the_learner(grade_hostile: Grade) -> None:
    killer = "import os, signal\ndef double(x):\n    os.kill(os.getppid(), signal.SIGKILL)\n    return 2 * x\n" \
             "def remember(r, k, v):\n    r.set(k, v)\ndef count_items(conn):\n    return 5\n"
    result = grade_hostile("py-target", {"solution.py": killer})
    assert not full_marks(result)
    assert result.status == "fail", (result.message, result.tests)


# 2. Learner SQL runs as superuser ------------------------------------------------------------
ESCALATE = f"""
CREATE OR REPLACE FUNCTION public.hostile_mark() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    EXECUTE 'CREATE ROLE {MARKER_ROLE}';
  EXCEPTION WHEN OTHERS THEN NULL;
  END;
  RETURN false;
END $$;
CREATE OR REPLACE FUNCTION public.hostile_eq(name, text) RETURNS boolean LANGUAGE sql
  AS 'SELECT public.hostile_mark()';
CREATE OPERATOR public.= (LEFTARG = name, RIGHTARG = text, FUNCTION = public.hostile_eq);
CREATE OR REPLACE FUNCTION public.txid_current() RETURNS bigint LANGUAGE sql AS 'SELECT 1';
DO $$ BEGIN
  BEGIN EXECUTE 'CREATE SCHEMA postgres'; EXCEPTION WHEN OTHERS THEN NULL; END;
  BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = public, pg_catalog', current_database());
  EXCEPTION WHEN OTHERS THEN NULL; END;
  BEGIN EXECUTE 'ALTER ROLE CURRENT_USER SET search_path = public, pg_catalog'; EXCEPTION WHEN OTHERS THEN NULL; END;
END $$;
CREATE OR REPLACE VIEW public.pg_class AS SELECT public.hostile_mark() AS relname;
ALTER TABLE items RENAME TO items_real;
CREATE VIEW items AS SELECT * FROM items_real WHERE public.hostile_mark() IS NOT NULL;
SELECT sum(price) AS total FROM items;
"""


def test_learner_sql_never_runs_as_superuser(grade_hostile: Grade, servers: Servers) -> None:
    # COMMIT-free files run in a transaction the grader rolls back: the objects stay only in
    # scripts graded by their effect, so the attack commits them (and is refused for it), and
    # the count file defines them through a function that commits nothing.
    result = grade_hostile("sql-target", {"queries/01_total.sql": ESCALATE + "COMMIT;\n",
                                          "queries/03_count.sql": ESCALATE})
    assert not full_marks(result)
    assert servers.pg("SELECT 1 FROM pg_roles WHERE rolname = %s", (MARKER_ROLE,)) == []
    assert "error" not in statuses(result), result.tests


# 3. Learner SQL lifts its own limits -----------------------------------------------------------
def test_learner_sql_cannot_lift_its_limits(grade_hostile: Grade) -> None:
    started = time.monotonic()
    result = grade_hostile("sql-target", {
        "queries/01_total.sql": "SET statement_timeout = 0; SET lock_timeout = 0;\nSELECT pg_sleep(60);\n",
        "queries/02_cheapest.sql": "SET temp_file_limit = -1;\nSELECT name FROM items ORDER BY price, id LIMIT 1;\n",
    })
    elapsed = time.monotonic() - started
    assert not full_marks(result)
    assert elapsed < 45, f"a 60 s sleep with statement_timeout = 0 ran {elapsed:.0f} s"
    by_name = {t.name: t for t in result.tests}
    assert by_name["the total of all prices"].status == "fail"
    assert "stopped after" in by_name["the total of all prices"].message
    assert by_name["the cheapest item's name"].status == "fail"
    assert "error" not in statuses(result)


# 4. Learner SQL changes what later checks see ---------------------------------------------------
def test_a_commit_inside_a_file_cannot_change_later_checks(grade_hostile: Grade) -> None:
    result = grade_hostile("sql-target", {
        "queries/01_total.sql": "COMMIT;\nDELETE FROM items;\nBEGIN;\n" + REFERENCE_SQL["queries/01_total.sql"],
    })
    by_name = {t.name: t for t in result.tests}
    assert by_name["the total of all prices"].status == "fail"
    assert "transaction" in by_name["the total of all prices"].message
    assert by_name["the number of items"].status == "pass"  # ran on the seed rows, not the emptied table
    assert by_name["the table the checks read still holds the seed rows"].status == "pass"
    assert not full_marks(result)


# 5. A learner turns a fail into an "error" -------------------------------------------------------
def test_role_changes_and_a_crashing_check_are_the_learners_fail(grade_hostile: Grade) -> None:
    result = grade_hostile("sql-target", {
        "queries/01_total.sql": "ALTER ROLE CURRENT_USER PASSWORD 'changed';\n"
                                "ALTER ROLE CURRENT_USER SET statement_timeout = 1;\nSELECT 1 AS total;\n",
        "queries/02_cheapest.sql": "TRUNCATE items;\nSELECT name FROM items;\n",  # the check's rows[0] crashes
    })
    assert not full_marks(result)
    assert "error" not in statuses(result), [(t.name, t.status, t.message) for t in result.tests]
    by_name = {t.name: t for t in result.tests}
    assert by_name["the number of items"].status == "pass"  # the password change did not lock the grader out
    assert "IndexError" in by_name["the cheapest item's name"].message


SQUAT = '''
import os
import urllib.parse

import redis

def double(x):
    return 2 * x

def remember(r, key, value):
    url = urllib.parse.urlsplit(os.environ["GRADER_REDIS_URL"])
    # a new connection that never SELECTs starts in database 0, where no ACL rule can stop it
    fresh = redis.Redis(host=url.hostname, port=url.port, username=url.username, password=url.password)
    for db in range(16):  # leave the own database: squat every lease, write into every other run's database
        for client in (r, fresh):
            try:
                if client is r:
                    r.execute_command("SELECT", db)
                client.set("grader:lease:%d" % db, "squatted")
            except redis.RedisError:
                pass
    for command in (("MOVE", "k", "0"), ("SWAPDB", "0", "1"), ("FLUSHALL",), ("COPY", "k", "x", "DB", "0")):
        try:
            r.execute_command(*command)
        except redis.RedisError:
            pass
    r.set(key, value)

def count_items(conn):
    conn.execute("ALTER ROLE CURRENT_USER PASSWORD 'mine'")
    return 4
'''


def test_redis_leases_and_other_databases_are_out_of_reach(grade_hostile: Grade, servers: Servers) -> None:
    before = servers.leases()
    result = grade_hostile("py-target", {"solution.py": SQUAT})
    assert servers.leases() == before  # nothing squatted
    assert not full_marks(result)
    assert "error" not in statuses(result), [(t.name, t.status, t.message) for t in result.tests]


# 6. Limits --------------------------------------------------------------------------------------
def test_an_endless_loop_at_import_costs_one_timeout(grade_hostile: Grade) -> None:
    started = time.monotonic()
    result = grade_hostile("py-target", {"solution.py": "while True:\n    pass\n"})
    elapsed = time.monotonic() - started
    assert not full_marks(result) and result.status == "fail"
    timeouts = [t for t in result.tests if "did not finish within" in t.message]
    assert len(timeouts) >= 4, [t.message for t in result.tests]
    assert elapsed < 25, f"{len(result.tests)} checks took {elapsed:.0f} s: more than one 2 s timeout each?"


def test_memory_and_escaped_processes_are_bounded(grade_hostile: Grade) -> None:
    hog = ("import os, subprocess, sys\n"
           "def double(x):\n"
           "    subprocess.Popen([sys.executable, '-c', 'import os, time; os.setsid(); time.sleep(600)'],\n"
           "                     start_new_session=True)\n"
           "    block = bytearray(1024 * 1024 * 1024)\n"
           "    return 2 * x\n"
           "def remember(r, k, v):\n    r.set(k, v)\n"
           "def count_items(conn):\n    return 5\n")
    result = grade_hostile("py-target", {"solution.py": hog})
    assert not full_marks(result)
    assert "error" not in statuses(result)
    # the conftest asserts no learner process (the setsid child included) survives the run


# 7. Leaks into feedback --------------------------------------------------------------------------
def test_no_secret_in_any_report(grade_hostile: Grade, servers: Servers) -> None:
    leak = (f"def double(x):\n    raise RuntimeError({servers.postgres!r} + ' ' + {servers.redis!r} + "
            f"' ' + {TOKEN!r} + ' ' + {HIDDEN_LINE!r})\n"
            "def remember(r, k, v):\n"
            "    print('leaking', r.connection_pool.connection_kwargs)\n    raise ValueError()\n"
            "def count_items(conn):\n    return 5\n")
    result = grade_hostile("py-target", {"solution.py": leak})
    assert not full_marks(result)
    shown = " ".join(t.message for t in result.tests)
    assert "[redacted]" in shown and HIDDEN_LINE not in shown
    # conftest: neither URL, password nor token appears in the text, JSON, JUnit, Gradescope or GitHub report


def test_a_broken_reference_never_shows_its_sql(grade_hostile: Grade, hostile_root: object) -> None:
    from pathlib import Path

    reference = Path(str(hostile_root)) / "labs" / "sql-target" / ".meta" / "solution" / "queries" / "03_count.sql"
    original = reference.read_text()
    reference.write_text("SELECT count(*) AS n FROM items WHERE secret_reference_column = 'x';\n")
    try:
        result = grade_hostile("sql-target", {})
    finally:
        reference.write_text(original)
    shown = " ".join(t.message for t in result.tests)
    assert "secret_reference_column = 'x'" not in shown and "WHERE" not in shown
    assert {t.status for t in result.tests if t.name == "the number of items"} == {"error"}


@pytest.mark.parametrize("lab", ["py-target"])
def test_a_slow_submission_past_the_lab_timeout_is_the_learners_fail(grade_hostile: Grade, lab: str,
                                                                     hostile_root: object) -> None:
    from pathlib import Path

    lab_yaml = Path(str(hostile_root)) / "labs" / lab / "lab.yaml"
    original = lab_yaml.read_text()
    lab_yaml.write_text(original.replace("lab_timeout_s: 90", "lab_timeout_s: 6"))
    slow = ("import time\ndef double(x):\n    time.sleep(1.9)\n    return 2 * x\n"
            "def remember(r, k, v):\n    time.sleep(1.9)\ndef count_items(conn):\n    time.sleep(1.9)\n")
    try:
        result = grade_hostile(lab, {"solution.py": slow})
    finally:
        lab_yaml.write_text(original)
    assert result.status == "fail" and result.score == 0, (result.message, result.tests)
    assert "lab_timeout_s" in result.tests[0].message
