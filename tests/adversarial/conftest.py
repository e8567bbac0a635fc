"""Fixtures of the hostile-submission suite: the throw-away course, grading one submission on the
real servers, and the invariants every attack is checked against afterwards."""

from __future__ import annotations

import io
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis
from rich.console import Console

from grader import labs
from grader.isolation.redis import databases, registry_db
from grader.isolation.urls import with_database
from grader.render import formats, github, terminal
from grader.results import LabResult, RunResult
from grader.runner import Submission, grade
from grader.sandbox import accounts
from grader.services.session import ServicePool
from tests.adversarial.course import make_course, submission

MARKER_ROLE = "hostile_superuser_marker"


@pytest.fixture(scope="session")
def hostile_root() -> Iterator[Path]:
    root = make_course()
    yield root
    shutil.rmtree(root, ignore_errors=True)


@dataclass
class Servers:
    postgres: str
    redis: str

    def pg(self, query: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with psycopg.connect(with_database(self.postgres, "postgres"), autocommit=True) as conn:
            return list(conn.execute(query, params).fetchall())

    def leases(self) -> dict[str, str]:
        with redis.Redis.from_url(with_database(self.redis, "0"), decode_responses=True) as admin:
            registry = registry_db(databases(admin))
        with redis.Redis.from_url(with_database(self.redis, str(registry)), decode_responses=True) as leases:
            return {key: str(leases.get(key)) for key in leases.scan_iter("grader:lease:*")}


@pytest.fixture(scope="session")
def servers(pool: ServicePool) -> Servers:
    return Servers(pool.get("postgres").url, pool.get("redis").url)


def run_state(servers: Servers) -> dict[str, object]:
    """What a run may leave behind: its databases, roles, sessions, leases, sandbox processes."""
    return {
        "databases": {r[0] for r in servers.pg("SELECT datname FROM pg_database WHERE datname LIKE 'grader_run_%%'")},
        "roles": {r[0] for r in servers.pg("SELECT rolname FROM pg_roles WHERE rolname LIKE 'grader_r_%%'")},
        "sessions": servers.pg("SELECT usename, state, query FROM pg_stat_activity WHERE usename LIKE 'grader_r_%%'"),
        "leases": servers.leases(),
        "sandbox processes": sandbox_processes(),
    }


def sandbox_processes() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                uid = entry.stat().st_uid
                zombie = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
            except (OSError, IndexError):
                continue
            if accounts.FIRST_UID <= uid < accounts.FIRST_UID + accounts.COUNT and not zombie and _ours(entry):
                found.append(int(entry.name))
    return found


def _ours(entry: Path) -> bool:
    """Started by this checkout's Python (other checkouts on the machine lease sandbox uids too)."""
    try:
        return (entry / "cmdline").read_bytes().startswith(sys.prefix.encode())
    except OSError:
        return False


def _describe(pid: int) -> str:
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
        cmdline = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return f"{pid} (gone)"
    return f"{pid} {stat.split(')')[1].split()[:2]} {cmdline[:120]}"


def secrets_of(servers: Servers) -> list[str]:
    """Values no report may show: the administrator URLs and their passwords, the CI token."""
    from urllib.parse import urlsplit

    found = [servers.postgres, servers.redis, TOKEN]
    for url in (servers.postgres, servers.redis):
        password = urlsplit(url).password
        assert password
        found.append(password)
    return found


TOKEN = "ghp_hostileSuiteToken0123456789abcdef"


def reports(result: LabResult) -> dict[str, str]:
    """The lab in every report format the grader writes."""
    run = RunResult(labs=[result])
    texts = {name: formats.render(name, run) for name in formats.FILE_FORMATS}
    buffer = io.StringIO()
    terminal.render(run, Console(file=buffer, width=200, force_terminal=False))
    texts["text"] = buffer.getvalue()
    texts["github summary"] = github.summary(github.redacted(run))
    texts["github annotations"] = "\n".join(github.annotation_lines(github.redacted(run)))
    return texts


Grade = Callable[[str, dict[str, str]], LabResult]


@pytest.fixture
def grade_hostile(hostile_root: Path, pool: ServicePool, servers: Servers,
                  monkeypatch: pytest.MonkeyPatch) -> Iterator[Grade]:
    """Grade a hostile submission, then hold every invariant: nothing left running or stored, no
    superuser marker, no secret in any report."""
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    before = run_state(servers)
    results: list[LabResult] = []

    def run(lab_id: str, files: dict[str, str]) -> LabResult:
        lab = labs.load(lab_id, hostile_root)
        folder = submission(hostile_root, lab_id, files)
        result = grade(lab, pool, Submission(folder, "hostile"), hostile_root)
        results.append(result)
        return result

    yield run
    after = run_state(servers)
    for key in ("databases", "roles"):
        assert after[key] <= before[key], f"left behind: {key} {after[key] - before[key]}"  # type: ignore[operator]
    assert after["sessions"] == [], f"learner sessions still open: {after['sessions']}"
    assert after["leases"] == before["leases"], "Redis leases left behind"
    # new ones only: another grading run of this checkout (a second terminal) may be running meanwhile
    left = sorted(set(after["sandbox processes"]) - set(before["sandbox processes"]))  # type: ignore[call-overload]
    assert left == [], f"learner processes still running: {[_describe(pid) for pid in left]}"
    assert servers.pg("SELECT 1 FROM pg_roles WHERE rolname = %s", (MARKER_ROLE,)) == [], \
        "learner SQL ran as superuser (it created a role)"
    for result in results:
        for name, text in reports(result).items():
            for secret in secrets_of(servers):
                assert secret not in text, f"a secret appears in the {name} report"


def full_marks(result: LabResult) -> bool:
    return result.max_score > 0 and result.score >= result.max_score
