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
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import redis

from grader.apps import AppClient, AppDatabase, RunningApp
from grader.apps.proxy import FaultProxy
from grader.checks import blame
from grader.checks.contenders import WriteGate
from grader.checks.mongo import MongoChecker
from grader.checks.problems import GraderFault, Mismatch, SubmissionProblem
from grader.checks.redis_wire import EmptiedScriptCache, Traffic, emptied_script_cache, watching
from grader.checks.sql import SqlChecker
from grader.grading_session import GradingSession
from grader.plugin_channel import Channel, hide_process, read_context, stop_cleanly_on_sigterm
from grader.results import CheckResult, Status
from grader.worker.client import Worker

MAX_MESSAGE = 2000
_session: GradingSession | None = None
_results: dict[str, CheckResult] = {}
_collection_errors: list[str] = []
_collected_order: dict[str, int] = {}  # nodeid -> its place in the collection: the order results are reported in
_channel = Channel(None)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--grader-context", default=None, help="grade a lab with this run context (JSON file or fd:N)")
    parser.addoption("--grader-results-fd", type=int, default=None, help="write results as JSON lines to this fd")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "task(number): the README task this check belongs to")
    config.addinivalue_line("markers", "points(n): what the check is worth (default 1)")
    config.addinivalue_line("markers", "requires(feature, ...): server features the check needs (lab.yaml "
                            "requires_features); on the MongoDB emulator such checks end as error")
    global _session, _channel
    path = config.getoption("--grader-context")
    if path:
        hide_process()
        stop_cleanly_on_sigterm()
        _channel = Channel(config.getoption("--grader-results-fd"))
        _session = GradingSession(read_context(path))


def pytest_collection_finish(session: pytest.Session) -> None:
    if _session is not None:
        total = sum(float(_marker_value(item, "points", "points") or 1) for item in session.items)
        _channel.send("collected", max_points=total, count=len(session.items))
        _session.start_workers(_workers_needed(session.items))


def _variant_of(item: pytest.Item | None) -> str | None:
    variant = getattr(item, "callspec", None) and item.callspec.params.get("variant")  # type: ignore[union-attr]
    return str(variant) if variant else None


def _workers_needed(items: Sequence[pytest.Item]) -> list[tuple[str, str]]:
    """(variant, source) of every worker the collected checks take as a fixture, in a stable order: all
    variants' at once, so that the hidden variant's imports too overlap the first checks (a worker is a
    process or two a variant; the dozens of contenders are started by the checks that race them)."""
    needed = set()
    for item in items:
        variant = _variant_of(item)
        for source in ("submission", "reference"):
            if variant and source in getattr(item, "fixturenames", ()):
                needed.add((variant, source))
    return sorted(needed)


VARIANT_ORDER = {None: 0, "public": 0, "hidden": 1}


def _one_variant_at_a_time(items: list[pytest.Item]) -> None:
    """Run every public check before every hidden one (each variant's checks keep their order), so that
    a lab holds one variant's processes at a time: the peak memory of a run of contended Redis labs was
    two variants' dozens of contenders. Results are still reported in the order the checks were collected."""
    _collected_order.update({item.nodeid: index for index, item in enumerate(items)})
    items.sort(key=lambda item: VARIANT_ORDER.get(_variant_of(item), 1))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, Any, None]:
    """After a variant's last check: release its processes."""
    yield
    variant = _variant_of(item)
    if _session is None or variant is None or nextitem is None or _variant_of(nextitem) == variant:
        return
    _session.release_variant(variant)


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
def contenders(variant: str) -> Callable[[int], list[Worker]]:
    """`contenders(n)`: n separate worker processes of the learner's module, for calls made at the same time
    (grader.checks.contenders.call_together). Kept for the whole run, so later checks reuse them."""
    grading = _grading()
    return lambda count: grading.contenders(variant, count)


@pytest.fixture
def write_gate(variant: str) -> WriteGate:
    """Holds writes on the variant's Redis while contenders start, so read-then-write races happen every run."""
    return _grading().write_gate(variant)


@pytest.fixture
def reference(variant: str) -> Worker:
    return _grading().worker(variant, "reference")


@pytest.fixture
def channel_prefix(variant: str) -> str:
    """Pub/sub channels are server-wide: a check names its channels with this run's prefix, the only channels
    the learner's Redis user may use, so runs sharing a server never hear each other."""
    return _grading().redis(variant).channel_prefix


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
def app(variant: str) -> RunningApp:
    """The learner's web service for this variant (lab.yaml `app:`), started once, restartable."""
    return _grading().app(variant)


@pytest.fixture
def http(app: RunningApp) -> Iterator[AppClient]:
    """An HTTP client bound to the app: bounded requests, a hang or a crash as a clear fail."""
    client = AppClient(app)
    yield client
    client.close()


@pytest.fixture
def db(variant: str) -> AppDatabase:
    """The database behind the app, read and set up on the grader's side."""
    return _grading().app_database(variant)


class Proxies:
    """The variant's fault proxies (grader/apps/proxy.py), one per service, started on first use."""

    def __init__(self, grading: GradingSession, variant: str) -> None:
        self._grading = grading
        self._variant = variant

    @property
    def postgres(self) -> FaultProxy:
        return self._grading.proxy(self._variant, "postgres")

    @property
    def redis(self) -> FaultProxy:
        return self._grading.proxy(self._variant, "redis")


@pytest.fixture
def proxies(variant: str) -> Iterator[Proxies]:
    """The nemesis on the wire: delay, refuse, cut or hold what the learner's process sends to a
    server (for an app, lab.yaml `app.proxied` routes it through them). Healed after every check."""
    grading = _grading()
    yield Proxies(grading, variant)
    for proxy in grading.proxies_of(variant):
        proxy.heal()


class RedisWire:
    """The learner's module in a worker whose Redis connection passes through the variant's proxy, and
    what it sends there: `with redis_wire.watch() as traffic: redis_wire.submission.call(...)` gives
    the commands and round trips of that call (grader/checks/redis_wire.py)."""

    def __init__(self, grading: GradingSession, variant: str) -> None:
        self._grading = grading
        self._variant = variant
        self.submission = grading.worker(variant, "submission", proxied=("redis",))

    def watch(self) -> AbstractContextManager[Traffic]:
        return watching(self._grading.proxy(self._variant, "redis"))

    def emptied_script_cache(self) -> AbstractContextManager[EmptiedScriptCache]:
        """For the block, the submission's next EVALSHA is answered NOSCRIPT (only this run sees it)."""
        return emptied_script_cache(self._grading.proxy(self._variant, "redis"))


@pytest.fixture
def redis_wire(variant: str) -> RedisWire:
    """The submission with its Redis traffic counted on the wire: commands and round trips, not time."""
    return RedisWire(_grading(), variant)


class Workers:
    """Worker processes on the learner's module, each in its own sandbox, all on one fresh copy of
    the variant's database (`db`), so a check that runs a queue or kills a process starts clean."""

    def __init__(self, grading: GradingSession, variant: str) -> None:
        self._grading = grading
        self._variant = variant
        self._name = grading.new_database(variant)
        self.db = grading.app_database(variant, self._name)
        self.started: list[Worker] = []

    def start(self, proxied: Sequence[str] = ()) -> Worker:
        """Another worker process; `proxied=["redis"]` reaches Redis through the fault proxy.
        `worker.kill()` kills it mid-call (the call in progress fails, the next starts a new one)."""
        worker = self._grading.new_worker(self._variant, "submission", proxied, database=self._name)
        self.started.append(worker)
        return worker

    def close(self) -> None:
        for worker in self.started:
            worker.close()


@pytest.fixture
def workers(variant: str) -> Iterator[Workers]:
    """Several worker processes on a fresh database copy, for checks that run them at once or kill one."""
    fleet = Workers(_grading(), variant)
    yield fleet
    fleet.close()


@pytest.fixture
def dataset() -> ModuleType:
    return _grading().dataset()


@pytest.fixture
def seed(variant: str) -> int:
    """A seed for checks that generate their own data: fixed per variant, different between them."""
    return _grading().check_seed(variant)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`grader check LAB --task N`: keep only the checks marked `task(N)`, public and hidden; then run
    one variant's checks at a time."""
    if _session is None:
        return
    wanted = _session.context.task
    if wanted is not None:
        kept = [item for item in items if _marker_value(item, "task", "taskno") == wanted]
        dropped = [item for item in items if _marker_value(item, "task", "taskno") != wanted]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept
    _one_variant_at_a_time(items)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if _session is not None and report.failed:
        _collection_errors.append(f"{report.nodeid}: {report.longreprtext.strip().splitlines()[-1]}")


def _marker_value(item: pytest.Item, name: str, keyword: str) -> Any:
    marker = item.get_closest_marker(name)
    if marker is None:
        return None
    return marker.args[0] if marker.args else marker.kwargs.get(keyword)


def _visibility(item: pytest.Item) -> str:
    return "hidden" if _is_hidden_item(Path(str(item.path))) or _variant_of(item) == "hidden" else "public"


def _message(excinfo: pytest.ExceptionInfo[BaseException], hidden: bool) -> str:
    exc = excinfo.value
    if isinstance(exc, (Mismatch, SubmissionProblem)):
        text = str(exc)
    elif isinstance(exc, AssertionError):
        # pytest's explanation ("assert not True + where True = Outcome(...)") is for authors, and may quote
        # hidden values: keep the author's message only
        text = author_message(str(exc))
        text = text or ("a check on the hidden data failed" if hidden else "a check failed (it gives no reason)")
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + " …"


def author_message(text: str) -> str:
    """The message a check's author wrote, without the explanation pytest's assertion rewriting adds."""
    if text.startswith("assert "):
        return ""
    return text.split("\nassert ")[0].strip()


def _classify(excinfo: pytest.ExceptionInfo[BaseException], item: pytest.Item) -> Status:
    assert _session is not None
    fixtures = getattr(item, "fixturenames", ())
    learner_ran = _session.touched_file is not None or "submission" in fixtures or "redis_wire" in fixtures
    return blame.status_of(excinfo.value, learner_ran)


@pytest.hookimpl(tryfirst=True, specname="pytest_runtest_makereport")  # pytest reads only pytest_* names
def pytest_learner_failure_report(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport | None:
    """A check the submission failed, reported with the check's line and its own message. pytest's report
    re-parses the source of every frame of the traceback (a third of the CPU of a failing grade) for a text
    nobody reads: the result carries the message. Other failures, the grader's, keep pytest's report."""
    excinfo = call.excinfo  # Mismatch and SubmissionProblem are AssertionErrors: what blame.status_of calls a fail
    if _session is None or call.when != "call" or excinfo is None or not isinstance(excinfo.value, AssertionError):
        return None
    in_check = [entry.lineno + 1 for entry in excinfo.traceback if str(entry.path) == str(item.path)]
    where = f"{item.location[0]}:{in_check[-1] if in_check else '?'}"
    text = f"{where}: {type(excinfo.value).__name__}: {_message(excinfo, _visibility(item) == 'hidden')}"
    sections = [(f"Captured {key} {when}", content) for when, key, content in item._report_sections]
    return pytest.TestReport(item.nodeid, item.location, dict.fromkeys(item.keywords, 1), "failed", text, "call",
                             sections, call.duration, call.start, call.stop, item.user_properties)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if _session is None:
        return
    if call.when == "setup":
        _session.touched_file = None
        _session.answers.current_check = item.nodeid
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
        status = _classify(call.excinfo, item) if call.when == "call" else "error"
        if call.when != "call" and isinstance(call.excinfo.value, SubmissionProblem):
            status = "fail"
        message = _message(call.excinfo, hidden)
        if status == "fail" and not isinstance(call.excinfo.value, AssertionError):
            message = blame.crash_message(call.excinfo.value, hidden)
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
    if status == "fail" and _session.context.stop_at_first_fail:
        item.session.shouldfail = "a rejection is proven by the first failed check"  # exit 1, as a failed run ends


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
            "tests": [_results[nodeid].model_dump()
                      for nodeid in sorted(_results, key=lambda n: _collected_order.get(n, len(_collected_order)))],
            "collection_errors": _collection_errors,
            "cleanup_seconds": round(time.monotonic() - started, 3),
        }
        _channel.send("end", **payload, exitstatus=int(exitstatus))
        _channel.close()
        if _session.context.results_path:  # a hand-made context asking for a file
            import json

            Path(_session.context.results_path).write_text(json.dumps(payload))
