"""The grader's side of the worker: calls with a timeout, restarts after a hang or a crash."""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from grader.checks.problems import GraderFault, SubmissionProblem

MAX_OUTPUT_SHOWN = 1500


class Worker:
    """One learner module folder served by a persistent subprocess.

    `env` carries only what the learner may use (connection URLs with the learner role).
    """

    def __init__(self, folder: Path, env: dict[str, str], timeout_s: float, module: str = "solution") -> None:
        self.folder = folder
        self.env = env
        self.timeout_s = timeout_s
        self.module = module
        self._process: subprocess.Popen[str] | None = None
        self._output: IO[str] | None = None
        self._mark = 0

    def _start(self) -> subprocess.Popen[str]:
        if not (self.folder / f"{self.module}.py").is_file():
            raise SubmissionProblem(f"{self.module}.py is missing from {self.folder}: restore the starter file")
        environment = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
        environment.update(self.env)
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        environment["PYTHONUNBUFFERED"] = "1"
        # The learner's prints go to a file, not a pipe: a full pipe would block their code.
        self._output = tempfile.TemporaryFile("w+")  # noqa: SIM115 - lives as long as the worker; closed in close()
        return subprocess.Popen(
            [sys.executable, "-m", "grader.worker"],
            cwd=self.folder,
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._output,
            text=True,
            start_new_session=True,  # so a timeout can kill whatever the learner's code started
        )

    def call(self, function: str, *args: Any, inject: str | None = None, **kwargs: Any) -> Any:
        """Call `module.function(*args)` in the worker and return its value, or raise SubmissionProblem."""
        if self._process is None or self._process.poll() is not None:
            self._process = self._start()
        process = self._process
        assert process.stdin is not None and process.stdout is not None
        assert self._output is not None
        self._output.seek(0, os.SEEK_END)
        self._mark = self._output.tell()
        request = {"module": self.module, "function": function, "args": list(args), "kwargs": kwargs, "inject": inject}
        try:
            process.stdin.write(json.dumps(request) + "\n")
            process.stdin.flush()
        except BrokenPipeError:
            output = self._printed()
            self.close()
            raise SubmissionProblem(f"{function}() could not be called: the Python process exited{output}") from None
        line = self._read_line(process.stdout, self.timeout_s)
        if not line:  # "" is end of output: the process ended; None is the timeout
            crashed = line == ""
            if crashed:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=5)
            output = self._printed()
            self.close()
            if crashed:
                raise SubmissionProblem(f"{function}() ended the Python process (exit {process.returncode}){output}")
            raise SubmissionProblem(
                f"{function}() did not return within {self.timeout_s:g} s: look for an endless loop or a blocking call"
            )
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

    @staticmethod
    def _read_line(stream: IO[str], timeout_s: float) -> str | None:
        """One line of the worker's answer; "" when its output ended, None when the time ran out."""
        deadline = time.monotonic() + timeout_s
        with selectors.DefaultSelector() as selector:
            selector.register(stream, selectors.EVENT_READ)
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    return None
                return stream.readline()

    def _printed(self) -> str:
        """The tail of what the learner's code printed, to show beside a failure."""
        if self._output is None:
            return ""
        self._output.seek(self._mark)
        text = self._output.read()[-MAX_OUTPUT_SHOWN:].strip()
        return f"\n--- your code printed ---\n{text}" if text else ""

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        for stream in (process.stdin, process.stdout, self._output):
            if stream is not None:
                stream.close()
        self._output = None
