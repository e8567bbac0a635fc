"""A learner's app, running: started in its own sandbox, ready, restartable, and stopped with its
whole process tree. A start that fails is remembered, so every later check fails at once with the
same message instead of waiting for the start timeout again: a broken app costs a bounded run."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import port_for

from grader.apps import shutdown
from grader.apps.command import app_command
from grader.apps.environment import HOST, app_environment
from grader.apps.readiness import NotReady, wait_until_ready
from grader.apps.sql_counter import SqlCounter
from grader.checks.problems import GraderFault, SubmissionProblem
from grader.sandbox import Sandbox, SandboxLimits, SandboxProcess
from grader.spec import AppSpec

MAX_STARTS = 4  # the first start and three after a crash or a hang; restarts a check asks for are free
LOG_LINES = 15
LOG_CHARS = 1500


class RunningApp:
    def __init__(self, spec: AppSpec, folder: Path, database_url: str | None, redis_url: str | None,
                 limits: SandboxLimits, hide: Sequence[Path], reveal: bool) -> None:
        self.spec = spec
        self.folder = folder
        self._counter = SqlCounter(database_url) if spec.count_statements and database_url else None
        self.database_url = self._counter.url if self._counter else database_url
        self.redis_url = redis_url
        self.limits = limits
        self.hide = hide
        self.reveal = reveal  # the app's output may echo data: shown for the public variant only
        self.port = 0
        self.starts = 0
        self._sandbox: Sandbox | None = None
        self._process: SandboxProcess | None = None
        self._failure: SubmissionProblem | None = None
        self._killed_by_grader = False

    # life cycle -----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def still_running_after(self, seconds: float) -> bool:
        """Whether the app is still running once `seconds` have passed or it has ended: an app that exits
        mid-request closes its sockets a moment before it can be seen to have exited."""
        if self._process is None:
            return False
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=seconds)
        return self._process.poll() is None

    def ensure_running(self) -> RunningApp:
        """Start the app if it is not running (first use, or after it crashed or hung)."""
        if self._failure is not None:
            raise self._failure
        if not self.running():
            if self._killed_by_grader:  # a fault a check injected: coming back is free
                self.restart()
                return self
            if self.starts >= MAX_STARTS:
                self._failure = SubmissionProblem(
                    f"your app stopped {self.starts} times during the checks; the remaining checks were not run "
                    "against it. Fix the first failure above and check again")
                raise self._failure
            self.start()
        return self

    def start(self, extra_env: Mapping[str, str] | None = None) -> None:
        self.stop()
        self.starts += 1
        self._failure = None
        self._killed_by_grader = False
        argv = app_command(self.spec, self.folder)
        self.port = port_for.select_random()
        env = app_environment(self.port, self.database_url, self.redis_url, {**self.spec.env, **(extra_env or {})})
        self._sandbox = Sandbox(env, self.limits, files_from=self.folder, hide=self.hide)
        shutdown.register(self._sandbox)
        self._process = self._sandbox.spawn(argv)
        try:
            wait_until_ready(self._process, HOST, self.port, self.spec.ready_path, self.spec.start_timeout_s)
        except NotReady as exc:
            self._sandbox.kill_all()
            self._failure = SubmissionProblem(f"{exc}{self.last_lines()}")
            raise self._failure from None

    def restart(self) -> None:
        """Stop the app and start it again in a fresh sandbox: what it kept in memory or in files is
        gone, only the database remains (the way a redeploy or a crash loses a process's state)."""
        starts = self.starts
        self.start()
        self.starts = starts  # a restart the check asked for is not the learner's crash

    def kill(self, fault: bool = True) -> None:
        """SIGKILL the app's whole tree now; it stays down until started again. `fault`: a check
        injects it (its restart is free); otherwise the app earned it (a request it never answered)."""
        if self._sandbox is not None:
            self._killed_by_grader = fault
            self._sandbox.kill_all()

    def stop(self) -> None:
        if self._sandbox is not None:
            shutdown.unregister(self._sandbox)
            self._sandbox.close()
        self._sandbox = None

    def close(self) -> None:
        self.stop()
        if self._counter is not None:
            self._counter.close()

    @property
    def statements(self) -> int:
        """SQL statements the app has sent so far (lab.yaml app.count_statements); compare two readings."""
        if self._counter is None:
            raise GraderFault("this check counts SQL statements: set 'count_statements: true' under app: in lab.yaml")
        return self._counter.statements

    # what the learner sees ------------------------------------------------------------------
    def mark(self) -> int:
        return self._process.output.mark() if self._process is not None else 0

    def output_since(self, since: int = 0) -> str:
        """What the app printed since `mark()`, raw, for checks that judge the output itself
        (structured logs); never shown to a learner as is — quote it through `last_lines`."""
        if self._process is None:
            return ""
        return self._process.output.since(since, limit=LOG_CHARS * 100)

    def exit_reason(self) -> str:
        if self._killed_by_grader:
            return "the grader stopped it on purpose (a fault this check injects)"
        return self._process.exit_reason() if self._process is not None else "it was never started"

    def last_lines(self, since: int = 0) -> str:
        """The tail of the app's output, each line labelled as the app's, for the public data only."""
        if self._process is None:
            return ""
        if not self.reveal:
            return "\n(your app's output is shown for checks on the public data only)"
        if self._process.poll() is not None:
            self._process.output.finish(timeout=0.2)
        text = self._process.output.since(since, limit=LOG_CHARS).rstrip()
        lines = text.splitlines()[-LOG_LINES:]
        if not lines:
            return "\n(your app printed nothing)"
        return "\n--- your app's last lines ---\n" + "\n".join(f"[your app] {line}" for line in lines)

    def crashed_problem(self, what: str, since: int = 0) -> SubmissionProblem:
        """The app is gone during a check: say so, with how it ended and what it printed."""
        reason = self.exit_reason()
        return SubmissionProblem(f"your app stopped while handling {what}: {reason}{self.last_lines(since)}")
