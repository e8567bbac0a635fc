"""The grader's pytest plugin: fixtures for lab checks, `task`/`points` markers, results as data.

Loaded through the `pytest11` entry point and inert unless `--grader-context` is given, so the
project's own tests are unaffected. Public checks run on the public data and again on the hidden
variant; checks in `.meta/hidden/` run on the hidden variant only. A check's outcome is:
  pass  — it passed;
  fail  — a Mismatch, a SubmissionProblem or an assertion: the learner's to fix;
  error — anything else (setup, a grader fault, a skip): never counted as the learner's failure.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import redis

from grader.checks.mongo import MongoChecker
from grader.checks.problems import GraderFault, Mismatch, SubmissionProblem
from grader.checks.sql import SqlChecker
from grader.context import RunContext
from grader.grading_session import GradingSession
from grader.results import CheckResult, Status
from grader.worker.client import Worker

MAX_MESSAGE = 2000
_session: GradingSession | None = None
_results: dict[str, CheckResult] = {}
_collection_errors: list[str] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--grader-context", default=None, help="grade a lab with this run context (JSON)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "task(number): the README task this check belongs to")
    config.addinivalue_line("markers", "points(n): what the check is worth (default 1)")
    config.addinivalue_line("markers", "requires(feature, ...): server features the check needs (lab.yaml "
                            "requires_features); on the MongoDB emulator such checks end as error")
    global _session
    path = config.getoption("--grader-context")
    if path:
        _session = GradingSession(RunContext.model_validate_json(Path(path).read_text()))


def _is_hidden_item(path: Path) -> bool:
    return ".meta" in path.parts


def _has_hidden_data(metafunc: pytest.Metafunc) -> bool:
    """Re-running a public check is worth it only where the hidden variant has other data: a
    dataset, or data the check generates from `seed`. Otherwise it would count the same check twice."""
    assert _session is not None
    return _session.context.dataset is not None or "seed" in metafunc.fixturenames


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "variant" not in metafunc.fixturenames:
        return
    hidden_file = _is_hidden_item(Path(str(metafunc.definition.path)))
    include_hidden = _session is not None and _session.context.include_hidden and _has_hidden_data(metafunc)
    variants = ["hidden"] if hidden_file else (["public", "hidden"] if include_hidden else ["public"])
    metafunc.parametrize("variant", variants)


def _grading() -> GradingSession:
    if _session is None:
        raise GraderFault("lab checks run only under the grader: use 'grader check LAB'")
    return _session


@pytest.fixture
def grading() -> GradingSession:
    return _grading()


@pytest.fixture
def sql(variant: str) -> SqlChecker:
    return _grading().sql(variant)


@pytest.fixture
def submission(variant: str) -> Worker:
    """The learner's Python module (solution.py), called in a worker subprocess."""
    return _grading().worker(variant, "submission")


@pytest.fixture
def reference(variant: str) -> Worker:
    return _grading().worker(variant, "reference")


@pytest.fixture
def redis_db(variant: str) -> Iterator[redis.Redis]:
    """An administrator client on this variant's leased Redis database (flushed before each check)."""
    lease = _grading().redis(variant)
    lease.client.flushdb()
    yield lease.client


def _require_features(item: pytest.Item) -> None:
    """A check marked `requires(...)` needs features lab.yaml declares; the emulator refuses those it lacks."""
    from grader.services.emulated_mongo import MISSING_FEATURES, NOT_ON_EMULATOR

    marker = item.get_closest_marker("requires")
    features = [str(f) for f in marker.args] if marker else []
    grading = _grading()
    undeclared = [f for f in features if f not in grading.context.requires_features]
    if undeclared:
        raise GraderFault(f"this check needs {', '.join(undeclared)}, which lab.yaml does not list under "
                          "requires_features: add it there")
    if grading.mongo_emulated:
        lacking = [MISSING_FEATURES[f] for f in features if f in MISSING_FEATURES]
        if lacking:
            raise GraderFault(f"{NOT_ON_EMULATOR}: this check needs {'; '.join(lacking)}. It runs on a real "
                              "MongoDB server (Docker, mongod on PATH, or GRADER_MONGODB_URL)")


@pytest.fixture
def mongo(variant: str, request: pytest.FixtureRequest) -> MongoChecker:
    """The variant's seeded MongoDB database (pymongo, or mongomock when emulated) with file-running helpers."""
    _require_features(request.node)
    return _grading().mongo(variant)


@pytest.fixture
def dataset() -> ModuleType:
    return _grading().dataset()


@pytest.fixture
def seed(variant: str) -> int:
    """A seed for checks that generate their own data: fixed per variant, different between them."""
    return {"public": 1, "hidden": 2}[variant]


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if _session is not None and report.failed:
        _collection_errors.append(f"{report.nodeid}: {report.longreprtext.strip().splitlines()[-1]}")


def _marker_value(item: pytest.Item, name: str, keyword: str) -> Any:
    marker = item.get_closest_marker(name)
    if marker is None:
        return None
    return marker.args[0] if marker.args else marker.kwargs.get(keyword)


def _visibility(item: pytest.Item) -> str:
    variant = getattr(item, "callspec", None) and item.callspec.params.get("variant")  # type: ignore[attr-defined]
    return "hidden" if _is_hidden_item(Path(str(item.path))) or variant == "hidden" else "public"


def _message(excinfo: pytest.ExceptionInfo[BaseException], hidden: bool) -> str:
    exc = excinfo.value
    if isinstance(exc, (Mismatch, SubmissionProblem)):
        text = str(exc)
    elif isinstance(exc, AssertionError):
        text = str(exc)
        if hidden:  # pytest's assertion explanation may quote hidden values: keep the author's message only
            text = text.split("\nassert ")[0].strip() if "\nassert " in text else ""
            text = text or "a check on the hidden data failed"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + " …"


def _classify(excinfo: pytest.ExceptionInfo[BaseException]) -> Status:
    if isinstance(excinfo.value, GraderFault):
        return "error"
    return "fail" if isinstance(excinfo.value, AssertionError) else "error"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if _session is None:
        return
    if call.when == "setup":
        _session.touched_file = None
    visibility = _visibility(item)
    hidden = visibility == "hidden"
    task = _marker_value(item, "task", "taskno")
    max_points = float(_marker_value(item, "points", "points") or 1)
    doc = (getattr(item, "obj", None).__doc__ or "").strip().splitlines() if getattr(item, "obj", None) else []
    base = doc[0] if doc else item.name.split("[")[0].removeprefix("test_").replace("_", " ")
    name = f"{base} (hidden data)" if hidden and not _is_hidden_item(Path(str(item.path))) else base
    status: Status | None = None
    message = ""
    if report.skipped:
        status, message = "error", f"not run: {_skip_reason(report)}"
    elif report.failed and call.excinfo is not None:
        status = _classify(call.excinfo) if call.when == "call" else "error"
        if call.when != "call" and isinstance(call.excinfo.value, SubmissionProblem):
            status = "fail"
        message = _message(call.excinfo, hidden)
    elif call.when == "call":
        status = "pass"
        if _session.mongo_emulated and "mongo" in getattr(item, "fixturenames", ()):
            from grader.services.emulated_mongo import PASSED_ON_EMULATOR

            message = PASSED_ON_EMULATOR
    if status is None:
        return
    previous = _results.get(item.nodeid)
    if previous is not None and previous.status != "pass":
        return  # the first problem is the one to report
    hint = _session.context.hints.get(int(task), "") if status == "fail" and task is not None else ""
    _results[item.nodeid] = CheckResult(
        name=name,
        task=int(task) if task is not None else None,
        status=status,
        points=max_points if status == "pass" else 0.0,
        max_points=max_points,
        message=message,
        hint=hint,
        visibility=visibility,  # type: ignore[arg-type]
        duration=round(report.duration + (previous.duration if previous else 0.0), 4),
        file=_session.touched_file,
    )


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _session is None:
        return
    started = time.monotonic()
    try:
        _session.close()
    finally:
        payload = {
            "tests": [r.model_dump() for r in _results.values()],
            "collection_errors": _collection_errors,
            "cleanup_seconds": round(time.monotonic() - started, 3),
        }
        import json

        Path(_session.context.results_path).write_text(json.dumps(payload))
