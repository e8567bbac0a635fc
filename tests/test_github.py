"""`--format github`: the PR comment through the GitHub REST API, the job summary and the step outputs.

The API is a real HTTP server on 127.0.0.1 (http.server in a thread) that keeps comments in memory,
pages its comment list with Link headers like GitHub, records every request, and can be told to answer
with an error. GITHUB_API_URL points the grader at it.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

from grader.github_api import GitHubApi, GitHubApiError, graded_commit, pull_request_number, target_from_env
from grader.render import github
from grader.results import RunResult

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
REPO, PR, TOKEN = "course/learner-repo", 7, "t0ken-for-tests"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None


@dataclass
class FakeGitHub:
    """Issue comments for one repository, in memory. `fail_with` makes every call answer that status."""

    url: str = ""
    page_size: int = 100
    comments: list[dict[str, Any]] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    fail_with: int | None = None
    garbage: bool = False  # answer GETs with 200 and a body that is not JSON (a proxy's error page)
    next_id: int = 1000

    def methods(self) -> list[str]:
        return [r.method for r in self.requests]

    def add_comment(self, body: str) -> None:
        self.next_id += 1
        self.comments.append({"id": self.next_id, "body": body, "user": {"login": "someone"}})


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _reply(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _record(self) -> tuple[str, dict[str, Any] | None]:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            fake.requests.append(Recorded(self.command, self.path, dict(self.headers.items()), body))
            return urlparse(self.path).path, body

        def _failing(self) -> bool:
            if fake.fail_with is None:
                return False
            self._reply(fake.fail_with, {"message": "Resource not accessible by integration"
                                         if fake.fail_with == 403 else "Server Error"})
            return True

        def do_GET(self) -> None:
            path, _ = self._record()
            if self._failing():
                return
            if fake.garbage:
                data = b"<html>gateway says hello</html>"
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            if path != f"/repos/{REPO}/issues/{PR}/comments":
                self._reply(404, {"message": "Not Found"})
                return
            page = int(parse_qs(urlparse(self.path).query).get("page", ["1"])[0])
            start = (page - 1) * fake.page_size
            chunk = fake.comments[start:start + fake.page_size]
            headers = {}
            if start + fake.page_size < len(fake.comments):
                headers["Link"] = f'<{fake.url}{path}?per_page=100&page={page + 1}>; rel="next"'
            self._reply(200, chunk, headers)

        def do_POST(self) -> None:
            path, body = self._record()
            if self._failing():
                return
            assert path == f"/repos/{REPO}/issues/{PR}/comments" and body is not None
            fake.add_comment(body["body"])
            self._reply(201, fake.comments[-1])

        def do_PATCH(self) -> None:
            path, body = self._record()
            if self._failing():
                return
            comment_id = int(path.rsplit("/", 1)[1])
            for comment in fake.comments:
                if comment["id"] == comment_id and path == f"/repos/{REPO}/issues/comments/{comment_id}":
                    comment["body"] = (body or {})["body"]
                    self._reply(200, comment)
                    return
            self._reply(404, {"message": "Not Found"})

    return Handler


@pytest.fixture
def api() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def run() -> RunResult:
    return RunResult.model_validate_json((GOLDEN / "sample_run.json").read_text())


def ci_env(api: FakeGitHub, tmp_path: Path) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "synchronize",
                                 "pull_request": {"number": PR, "head": {"sha": "feedc0ffee1234567890"}}}))
    return {
        "GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": REPO, "GITHUB_EVENT_PATH": str(event),
        "GITHUB_API_URL": api.url, "GITHUB_SHA": "3e5e3e5e3e5e3e5e3e5e",  # the merge commit, not shown
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), "GITHUB_OUTPUT": str(tmp_path / "output"),
    }


# The PR comment -----------------------------------------------------------------------------------
def test_first_run_posts_one_comment_second_run_updates_it(api: FakeGitHub, run: RunResult,
                                                            tmp_path: Path) -> None:
    env = ci_env(api, tmp_path)
    api.add_comment("Nice work, see the review below.")
    printed: list[str] = []
    assert github.publish(run, env, printed.append) == []
    assert api.methods() == ["GET", "POST"]
    assert len(api.comments) == 2 and github.MARKER in api.comments[1]["body"]
    assert "| 2 | 0/1 passed | 0/1 passed | 0/4 | ❌ failed |" in api.comments[1]["body"]
    assert all(r.headers.get("Authorization") == f"Bearer {TOKEN}" for r in api.requests)
    assert any(line == f"PR comment created on {REPO}#{PR}" for line in printed)

    api.requests.clear()
    improved = run.model_copy(deep=True)
    improved.labs[0].tests[2].status, improved.labs[0].tests[2].points = "pass", 2.0
    assert github.publish(improved, env, printed.append) == []
    assert api.methods() == ["GET", "PATCH"]
    assert len(api.comments) == 2 and api.comments[0]["body"] == "Nice work, see the review below."
    assert "| 2 | 1/1 passed | 0/1 passed | 2/4 | ❌ failed |" in api.comments[1]["body"]
    assert api.requests[1].path == f"/repos/{REPO}/issues/comments/{api.comments[1]['id']}"


def test_the_marker_is_found_on_a_later_page(api: FakeGitHub, run: RunResult, tmp_path: Path) -> None:
    api.page_size = 2
    for n in range(3):
        api.add_comment(f"comment {n}")
    api.add_comment(f"{github.MARKER}\nold report")
    api.add_comment("after")
    assert github.publish(run, ci_env(api, tmp_path), lambda line: None) == []
    assert api.methods() == ["GET", "GET", "GET", "PATCH"]  # every page of 2, then the update
    assert "old report" not in api.comments[3]["body"] and "Grading" in api.comments[3]["body"]
    assert len(api.comments) == 5


@pytest.mark.parametrize("status, advice", [(500, "Server Error"), (403, "pull-requests: write")])
def test_an_api_error_is_a_warning_not_a_failure(api: FakeGitHub, run: RunResult, tmp_path: Path,
                                                 status: int, advice: str) -> None:
    api.fail_with = status
    env = ci_env(api, tmp_path)
    warnings = github.publish(run, env, lambda line: None)
    assert len(warnings) == 1 and f"answered {status}" in warnings[0] and advice in warnings[0]
    assert api.comments == []
    assert "Grading" in Path(env["GITHUB_STEP_SUMMARY"]).read_text()  # the rest was still written


def test_a_non_json_answer_is_a_warning(api: FakeGitHub, run: RunResult, tmp_path: Path) -> None:
    api.garbage = True
    warnings = github.publish(run, ci_env(api, tmp_path), lambda line: None)
    assert len(warnings) == 1 and "did not return a list of comments" in warnings[0]
    assert api.methods() == ["GET"]


def test_an_unreachable_api_is_a_warning(run: RunResult, tmp_path: Path) -> None:
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": REPO, "GRADER_PR_NUMBER": "7",
           "GITHUB_API_URL": "http://127.0.0.1:9"}  # discard port: nothing listens
    warnings = github.publish(run, env, lambda line: None)
    assert len(warnings) == 1 and "could not post the PR comment" in warnings[0]


def test_no_comment_without_token_or_pr_number(api: FakeGitHub, run: RunResult, tmp_path: Path) -> None:
    env = ci_env(api, tmp_path)
    printed: list[str] = []
    github.publish(run, {k: v for k, v in env.items() if k != "GITHUB_TOKEN"}, printed.append)
    github.publish(run, {k: v for k, v in env.items() if k != "GITHUB_EVENT_PATH"}, printed.append)
    assert api.requests == []
    assert any("missing GITHUB_TOKEN" in line for line in printed)
    assert any("missing a pull request number" in line for line in printed)


def test_pull_request_number_sources(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 12}}))
    assert pull_request_number({"GITHUB_EVENT_PATH": str(event)}) == 12
    assert pull_request_number({"GITHUB_EVENT_PATH": str(event), "GRADER_PR_NUMBER": "5"}) == 5
    push = tmp_path / "push.json"
    push.write_text(json.dumps({"ref": "refs/heads/main"}))
    assert pull_request_number({"GITHUB_EVENT_PATH": str(push)}) is None
    assert pull_request_number({}) is None
    assert graded_commit({"GITHUB_EVENT_PATH": str(push), "GITHUB_SHA": "abc"}) == "abc"
    target = target_from_env({"GITHUB_TOKEN": "x", "GITHUB_REPOSITORY": "a/b", "GRADER_PR_NUMBER": "3"})
    assert target is not None and target.api_url == "https://api.github.com"


def test_a_next_page_on_another_host_is_not_followed(api: FakeGitHub) -> None:
    target = target_from_env({"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": REPO, "GRADER_PR_NUMBER": str(PR),
                              "GITHUB_API_URL": api.url})
    assert target is not None
    client = GitHubApi(target)
    api.page_size = 1
    api.add_comment("a")
    api.add_comment("b")
    api.url = "http://elsewhere.invalid"
    with pytest.raises(GitHubApiError, match="another host"):
        client.comments()


# Summary and outputs files -----------------------------------------------------------------------------
def test_summary_and_outputs_are_appended(api: FakeGitHub, run: RunResult, tmp_path: Path) -> None:
    env = ci_env(api, tmp_path)
    Path(env["GITHUB_STEP_SUMMARY"]).write_text("earlier step\n")
    Path(env["GITHUB_OUTPUT"]).write_text("other=1\n")
    printed: list[str] = []
    github.publish(run, env, printed.append)
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert summary.startswith("earlier step\n## ⚠️ Grading: 4.5/10.5 points")
    assert "`feedc0ffee12`" in summary and "3e5e3e5e" not in summary
    assert Path(env["GITHUB_OUTPUT"]).read_text() == "other=1\nscore=4.5\nmax_score=10.5\n"
    assert any(line.startswith("::error file=labs/sql-joins/queries/02_counts.sql,line=1,") for line in printed)


# The real command -----------------------------------------------------------------------------------
@pytest.fixture
def scratch() -> Iterator[Path]:
    """A copy of the repository's sql-joins lab with its starter files (the learner's edits do not leak in)."""
    root = Path(tempfile.mkdtemp(prefix="grader-github-"))
    root.chmod(0o755)  # the local servers run as an unprivileged account and read the lab files
    (root / "labs").mkdir()
    shutil.copytree(ROOT / "labs" / "datasets", root / "labs" / "datasets")
    shutil.copytree(ROOT / "labs" / "sql-joins", root / "labs" / "sql-joins",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (root / "labs" / "course.yaml").write_text(
        "title: t\ntracks:\n  - id: sql\n    title: SQL\n    labs: [sql-joins]\n")
    yield root
    shutil.rmtree(root, ignore_errors=True)


def grader_github(root: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env, "GRADER_ROOT": str(root)}
    if "GRADER_BACKEND" not in os.environ and "GRADER_POSTGRES_URL" not in os.environ:
        environment["GRADER_BACKEND"] = "local"
    return subprocess.run([sys.executable, "-m", "grader.cli", "check", "sql-joins", "--format", "github", *extra],
                          cwd=root, env=environment, capture_output=True, text=True, timeout=300, check=False)


def test_check_format_github_end_to_end(api: FakeGitHub, scratch: Path, tmp_path: Path) -> None:
    """The starter fails (exit 1): one comment, summary, outputs, annotations; an API error keeps exit 1."""
    env = ci_env(api, tmp_path)
    done = grader_github(scratch, env, "--output", str(tmp_path / "results.json"),
                         "--report", f"junit={tmp_path / 'results.xml'}")
    assert done.returncode == 1, done.stdout + done.stderr
    assert api.methods() == ["GET", "POST"] and len(api.comments) == 1
    assert "| 1 | 0/1 passed |" in api.comments[0]["body"]
    assert "sql-joins" in done.stdout and "What to fix" in done.stdout  # the terminal report, for the log
    assert "::error file=labs/sql-joins/queries/01_orders_with_customers.sql,line=1," in done.stdout
    assert "### ❌ sql-joins" in Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert Path(env["GITHUB_OUTPUT"]).read_text().startswith("score=0\nmax_score=")
    assert json.loads((tmp_path / "results.json").read_text())["labs"][0]["id"] == "sql-joins"
    assert (tmp_path / "results.xml").read_text().startswith("<?xml")

    api.fail_with = 500
    again = grader_github(scratch, env)
    assert again.returncode == 1, again.stdout + again.stderr
    assert "::warning title=grader::could not post the PR comment" in again.stdout
    assert "warning:" in again.stderr and "500" in again.stderr
    assert len(api.comments) == 1


# The workflow files ------------------------------------------------------------------------------------
def load_workflow(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict)
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps_running(job: dict[str, Any], text: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if text in str(s.get("run", ""))]


def uses(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if str(s.get("uses", "")).startswith(action + "@")]


def _grader_command(grade: dict[str, Any], bundle: str = "") -> list[str]:
    """The template's `grader check` line (with its continuation), variables filled in."""
    script = grade["run"].replace("\\\n", " ")
    (line,) = [x for x in script.splitlines() if "bin/grader check" in x]
    line = line.replace('"${bundle[@]}"', bundle).replace("$GRADER_BASE", "origin/main")
    return shlex.split(line.replace("$RUNNER_TEMP", "/tmp/runner"))


def test_course_template_grades_pull_requests() -> None:
    flow = load_workflow(ROOT / "templates" / "github" / "grade.yml")
    assert set(flow["on"]) == {"pull_request"}
    assert flow["permissions"] == {"contents": "read", "pull-requests": "write"}
    (job,) = flow["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest"
    checkouts = {s["with"]["path"]: s for s in uses(job, "actions/checkout")}
    assert checkouts["pr"]["with"]["fetch-depth"] == 0
    assert checkouts["base"]["with"]["ref"] == "${{ github.base_ref }}"  # the grader and course: the base's
    assert str(uses(job, "actions/setup-python")[0]["with"]["python-version"]) == "3.11"
    assert steps_running(job, "make -C base setup")
    (grade,) = steps_running(job, "grader check")
    assert grade["working-directory"] == "pr"
    command = " ".join(_grader_command(grade))
    assert command.startswith("../base/.venv/bin/grader check")  # never the pull request's own grader
    for part in ("--changed", "--format github", "--output /tmp/runner/results.json",
                 "--report junit=/tmp/runner/results.xml"):
        assert part in command
    assert grade["env"]["GRADER_BACKEND"] == "docker"
    assert grade["env"]["GITHUB_TOKEN"] == "${{ secrets.GITHUB_TOKEN }}"
    assert grade["env"]["GRADER_BUNDLE"] == "${{ secrets.GRADER_BUNDLE }}"
    assert "public checks only" in grade["run"] and "GITHUB_STEP_SUMMARY" in grade["run"]  # without a bundle
    (upload,) = uses(job, "actions/upload-artifact")
    assert upload["if"] == "always()"
    assert {Path(p.strip()).name for p in upload["with"]["path"].splitlines() if p.strip()} == {"results.json",
                                                                                             "results.xml"}


def test_course_template_command_line_parses() -> None:
    """The template's grader command is one `grader check` accepts, with the meaning intended."""
    from grader.cli import check

    flow = load_workflow(ROOT / "templates" / "github" / "grade.yml")
    (job,) = flow["jobs"].values()
    (grade,) = steps_running(job, "grader check")
    for bundle, expected in (("", None), ("--bundle /tmp/runner/grading.bundle", Path("/tmp/runner/grading.bundle"))):
        args = _grader_command(grade, bundle)
        assert args[:2] == ["../base/.venv/bin/grader", "check"]
        params = check.make_context("check", args[2:]).params
        assert params["changed"] and params["base"] == "origin/main" and params["fmt"] == "github"
        assert params["bundle"] == expected
        assert params["output"] == Path("/tmp/runner/results.json")
        assert params["reports"] == [("junit", Path("/tmp/runner/results.xml"))]


def test_project_ci_lints_type_checks_and_tests_on_real_servers() -> None:
    flow = load_workflow(ROOT / ".github" / "workflows" / "ci.yml")
    assert {"push", "pull_request"} <= set(flow["on"])
    assert flow["permissions"] == {"contents": "read"}
    jobs = flow["jobs"]
    lint = jobs["lint"]
    assert steps_running(lint, "ruff check") and steps_running(lint, "mypy")
    test = jobs["test"]
    assert steps_running(test, "make test")
    images = {name: service["image"].split(":")[0] for name, service in test["services"].items()}
    assert sorted(images.values()) == ["postgres", "redis"]
    # MongoDB runs as a one-node replica set (transactions): a service container takes no command, so a step
    # starts it with --replSet and waits for a primary
    assert steps_running(test, "--replSet rs0") and steps_running(test, "isWritablePrimary")
    for variable, port in (("GRADER_POSTGRES_URL", "5432"), ("GRADER_MONGODB_URL", "27017"),
                           ("GRADER_REDIS_URL", "6379")):
        assert f"localhost:{port}" in test["env"][variable]
