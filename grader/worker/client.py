"""The grader's side of the worker: calls with a timeout, restarts after a hang or a crash."""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from grader.checks.problems import GraderFault, SubmissionProblem
from grader.sandbox import Sandbox, SandboxLimits, SandboxProcess

MAX_OUTPUT_SHOWN = 1500
AT_IMPORT = "*import*"  # key of a timeout while the module was still being imported


class Worker:
    """One learner module folder served by a persistent process in a sandbox.

    `env` carries only what the learner may use (connection URLs with the learner role); the sandbox
    holds a copy of `folder` and nothing else of the course, and closing the worker kills its tree.
    """

    def __init__(self, folder: Path, env: dict[str, str], timeout_s: float, module: str = "solution",
                 limits: SandboxLimits | None = None, hide: Sequence[Path] = (),
                 timeouts: dict[str, str] | None = None, prepare: Sequence[str] = ()) -> None:
        self.folder = folder
        self.prepare = list(prepare)  # the clients its calls may inject, imported by ready()
        self.env = env
        self.timeout_s = timeout_s
        self.module = module
        self.limits = limits
        self.hide = hide
        self._sandbox: Sandbox | None = None
        self._process: SandboxProcess | None = None
        self._mark = 0
        self.last_exit: int | None = None  # the exit code of the last worker process that ended during a call
        self._pending = b""  # what the worker wrote after the last whole line read
        self._answered = False  # the running process has answered a call: its module is imported
        self._import_asked = False  # start_importing() sent an import whose answer no call has read yet
        # function -> the message of its timeout; shared by the workers of one source (both variants),
        # so an endless loop costs one timeout, not one per check
        self.timeouts = timeouts if timeouts is not None else {}

    def _start(self) -> SandboxProcess:
        if not (self.folder / f"{self.module}.py").is_file():
            raise SubmissionProblem(f"{self.module}.py is missing from {self.folder}: restore the starter file")
        if self._sandbox is None:
            self._sandbox = Sandbox(self.env, self.limits, files_from=self.folder, hide=self.hide)
        # -I: the learner's folder is put on sys.path by the worker itself, PYTHON* variables are ignored
        # (PYTHONUNBUFFERED too, hence -u: a print must reach the output before the failure that follows it)
        return self._sandbox.spawn([sys.executable, "-I", "-u", "-m", "grader.worker"], channel=True)

    @property
    def pid(self) -> int | None:
        """The running worker process's id (None before it starts and after it ended)."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def start(self) -> None:
        """Start the worker process now (it also starts on the first call), e.g. before a timed race."""
        if self._process is None or self._process.poll() is not None:
            self._process = self._start()
            self._answered = False
            self._pending = b""
            self._import_asked = False

    def start_importing(self) -> None:
        """Start the process and ask it to import the module and the client libraries, without waiting:
        the import runs while the checks set up, and the next call reads its answer first."""
        self.start()
        if not self._import_asked and not self._answered:
            self._send(None, (), None, None, {})
            self._import_asked = True

    def ready(self) -> None:
        """Start the process and import the module now, so that the timeout of a call that follows covers
        only the call (the client libraries its calls inject are imported too: on a loaded machine that
        import alone can take seconds): checks that race several workers make them all ready first."""
        self.call(None)

    def call(self, function: str | None, *args: Any, inject: str | list[str] | None = None,
             crash_after_replies: int | None = None, **kwargs: Any) -> Any:
        """Call `module.function(*args)` in the worker and return its value, or raise SubmissionProblem.

        `inject` names the clients passed before `args` ("redis", "postgres", "mongodb", or a list of them);
        `crash_after_replies` ends the worker process once Redis has answered that many of this call's
        commands (raised here as SubmissionProblem, like any crash; `last_exit` is then
        grader.worker.__main__.CRASH_EXIT).
        """
        earlier = self.timeouts.get(AT_IMPORT) or (function and self.timeouts.get(function))
        if earlier is not None:
            raise SubmissionProblem(f"{earlier} (not called again after that timeout)")
        self.start()
        mark: int | None = None
        if self._import_asked:  # the import start_importing() asked for: its answer (or failure) comes first
            self._import_asked = False
            mark = self._mark
            if function is None:
                return self._receive(None)
            self._receive(None)
        self._send(function, args, inject, crash_after_replies, kwargs)
        if mark is not None:
            self._mark = mark  # what the module printed at import shows beside this call's failure, as before
        return self._receive(function)

    def _send(self, function: str | None, args: Sequence[Any], inject: str | list[str] | None,
              crash_after_replies: int | None, kwargs: dict[str, Any]) -> None:
        process = self._process
        assert process is not None and process.stdin is not None
        self._mark = process.output.mark()
        request = {"module": self.module, "function": function, "args": list(args), "kwargs": kwargs, "inject": inject,
                   "crash_after_replies": crash_after_replies, "prepare": self.prepare if function is None else []}
        try:
            process.stdin.write((json.dumps(request) + "\n").encode())
            process.stdin.flush()
        except BrokenPipeError:
            output = self._printed()
            reason = self._end(process)
            called = f"{function}()" if function else f"importing {self.module}.py"
            raise SubmissionProblem(f"{called} could not be done: the Python process ended ({reason}){output}"
                                    ) from None

    def _receive(self, function: str | None) -> Any:
        """The answer to the request sent last: its value, or SubmissionProblem."""
        process = self._process
        assert process is not None and process.stdout is not None
        called = f"{function}()" if function else f"importing {self.module}.py"
        deadline = time.monotonic() + self.timeout_s
        line = self._read_line(process.stdout, self.timeout_s)
        while line and line.startswith(b'{"imported"'):
            self._answered = True
            line = self._read_line(process.stdout, deadline - time.monotonic())
        if not line:  # b"" is end of output: the process ended; None is the timeout
            crashed = line == b""
            if crashed:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=5)
            output = self._printed()
            reason = self._end(process)
            if crashed:
                self.last_exit = process.popen.returncode
                raise SubmissionProblem(f"{called} ended the Python process: {reason}{output}")
            if self._answered and function:
                problem = (f"{function}() did not return within {self.timeout_s:g} s: look for an endless loop "
                           "or a blocking call")
                self.timeouts[function] = problem
            else:
                problem = (f"importing {self.module}.py did not finish within {self.timeout_s:g} s: look for an "
                           "endless loop or a blocking call at module level (outside any function)")
                self.timeouts[AT_IMPORT] = problem
            raise SubmissionProblem(problem)
        try:
            response = json.loads(line)
        except ValueError:
            raise GraderFault(f"the worker answered something that is not JSON: {line[:200]!r}") from None
        if response["ok"]:
            return response["value"]
        kind = response.get("kind")
        prefixes = {"import": f"{self.module}.py could not be imported", "result": f"{function}()"}
        prefix = prefixes.get(kind, f"{function}() raised an exception")
        raise SubmissionProblem(f"{prefix}:\n{response['message']}{self._printed()}")

    def _read_line(self, stream: IO[bytes], timeout_s: float) -> bytes | None:
        """One line of the worker's answer; b"" when its output ended, None when the time ran out.
        Reads the pipe itself (not through a buffered reader), so a second line that arrived with the
        first is kept for the next read instead of hiding from select()."""
        deadline = time.monotonic() + timeout_s
        with selectors.DefaultSelector() as selector:
            selector.register(stream.fileno(), selectors.EVENT_READ)
            while b"\n" not in self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    return None
                chunk = os.read(stream.fileno(), 65536)
                if not chunk:
                    return b""
                self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return line + b"\n"

    def _printed(self) -> str:
        """The tail of what the learner's code printed since the call began, to show beside a failure."""
        if self._process is None:
            return ""
        if self._process.poll() is not None:
            self._process.output.finish(timeout=0.05)
        else:
            self._process.output.settle()
        text = self._process.output.since(self._mark, limit=MAX_OUTPUT_SHOWN).strip()
        return f"\n--- your code printed ---\n{text}" if text else ""

    def _end(self, process: SandboxProcess) -> str:
        """Stop the worker's whole tree and say how it ended; the next call starts a new one."""
        assert self._sandbox is not None
        self._sandbox.kill_all()
        self._process = None
        return process.exit_reason()

    def kill(self) -> None:
        """SIGKILL the worker process now, from any thread (a fault a check injects, e.g. mid-job):
        a call in progress then ends as "ended the Python process", and the next call starts a new
        process in the same sandbox. Its streams are left to the calling thread, which cleans up."""
        process = self._process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)

    def close(self) -> None:
        self._process = None
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None
