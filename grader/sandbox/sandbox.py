"""A sandbox: a private folder with a copy of the files learner code may see, and the processes
started in it. Closing it kills every process it started, wherever they went, and removes the folder.

As root: its own leased account, a private mount namespace (the course folders and the grader's state
hidden, a private /tmp), cgroup limits for the whole tree. Without root (a learner's laptop): the
grader's own account, a private folder holding only the given files, rlimits, and a marker in the
environment to find escaped processes. In both: a scrubbed environment (only what the caller grants),
no new privileges, output captured with a cap.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from grader.sandbox import accounts, reaper
from grader.sandbox.cgroups import ControlGroups
from grader.sandbox.limits import SandboxLimits
from grader.sandbox.output import OutputTail

ENTER = Path(__file__).with_name("enter.py")
SETUP_FAILED = 121
ROOT_WORKDIRS = Path("/var/tmp/backend-labs-sandboxes")  # outside /tmp, which the sandbox replaces
_course_paths: list[str] = []


def hide_course(paths: Sequence[Path]) -> None:
    """Folders no sandbox of this process may see (the course, the grader's state): set once by the
    grading session, so every way of starting learner code hides them without being told."""
    _course_paths[:] = [str(p) for p in paths]


def _runtime_paths() -> list[str]:
    """What learner processes need to read of the grader's installation: the Python interpreter, its
    virtual environment (the drivers learner code imports) and the grader package (the worker)."""
    import grader

    return sorted({os.path.realpath(p) for p in (sys.base_prefix, sys.prefix, Path(grader.__file__).parent)})


def _masks(keep: Sequence[str], tmp_mb: int) -> list[dict[str, object]]:
    """A private /tmp and /dev/shm, and a tmpfs over every folder that others may not enter but that
    holds something to keep (e.g. /root holding a pyenv Python): only the kept paths come back."""
    masks: dict[str, dict[str, object]] = {
        path: {"path": path, "mode": "1777", "size_mb": tmp_mb} for path in ("/tmp", "/dev/shm")
    }
    for path in keep:
        for ancestor in reversed(Path(path).parents[:-1]):
            with contextlib.suppress(OSError):
                if not ancestor.stat().st_mode & stat.S_IXOTH:
                    masks.setdefault(str(ancestor), {"path": str(ancestor), "mode": "755", "size_mb": 1})
                    break
    return sorted(masks.values(), key=lambda m: str(m["path"]))


def _base_environment() -> dict[str, str]:
    path = os.pathsep.join(dict.fromkeys([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]))
    return {"PATH": path, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1", "PYTHONNOUSERSITE": "1"}


class SandboxProcess:
    """One process started in a sandbox. `output` holds its stderr (and stdout unless it is a channel)."""

    def __init__(self, popen: subprocess.Popen[bytes], output: OutputTail, sandbox: Sandbox) -> None:
        self.popen = popen
        self.output = output
        self._sandbox = sandbox

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def stdin(self) -> IO[bytes] | None:
        return self.popen.stdin

    @property
    def stdout(self) -> IO[bytes] | None:
        return self.popen.stdout

    def poll(self) -> int | None:
        return self.popen.poll()

    def wait(self, timeout: float | None = None) -> int:
        return self.popen.wait(timeout)

    def exit_reason(self) -> str:
        """How the process ended, in words a learner understands."""
        code = self.popen.returncode
        if code is None:
            return "it is still running"
        if self._sandbox.out_of_memory():
            return f"it ran out of memory (the limit is {self._sandbox.limits.memory_mb} MB)"
        if code == SETUP_FAILED:
            return "the sandbox could not start it (a grader problem: " + self.output.since().strip()[-300:] + ")"
        if code < 0:
            name = signal.Signals(-code).name
            reasons = {"SIGXCPU": f"it used more than {self._sandbox.limits.cpu_seconds} s of CPU time",
                       "SIGXFSZ": f"it wrote a file larger than {self._sandbox.limits.file_size_mb} MB",
                       "SIGKILL": "it was killed (SIGKILL)", "SIGSEGV": "it crashed (segmentation fault)"}
            return reasons.get(name, f"it was ended by {name}")
        return f"it exited with code {code}"


class Sandbox:
    def __init__(self, env: Mapping[str, str], limits: SandboxLimits | None = None,
                 files_from: Path | None = None, hide: Sequence[Path] = ()) -> None:
        self.limits = limits or SandboxLimits()
        self.token = secrets.token_hex(8)
        self._account = accounts.lease() if accounts.privileged() else None
        self._hide = list(dict.fromkeys([*_course_paths, *(str(p) for p in hide)]))
        self._groups: ControlGroups | None = None
        self._processes: list[SandboxProcess] = []
        try:
            if self._account is not None:
                reaper.kill_until_gone(lambda: reaper.by_uid(self._uid))  # a killed run's leftovers
                if ControlGroups.available():
                    self._groups = ControlGroups(f"u{self._uid}", self.limits.memory_mb, self.limits.processes)
                ROOT_WORKDIRS.mkdir(parents=True, exist_ok=True)
                ROOT_WORKDIRS.chmod(0o711)
                self.workdir = Path(tempfile.mkdtemp(prefix=f"u{self._uid}-", dir=ROOT_WORKDIRS))
            else:
                self.workdir = Path(tempfile.mkdtemp(prefix="grader-sandbox-"))
            if files_from is not None:
                shutil.copytree(files_from, self.workdir, dirs_exist_ok=True, symlinks=False,
                                ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
            if self._account is not None:
                for path in [self.workdir, *self.workdir.rglob("*")]:
                    os.chown(path, self._uid, self._account.gid, follow_symlinks=False)
        except BaseException:
            self.close()
            raise
        self.env = {**_base_environment(), "HOME": str(self.workdir), "TMPDIR": "/tmp",
                    **env, reaper.MARKER: self.token}

    @property
    def _uid(self) -> int:
        assert self._account is not None
        return self._account.uid

    @property
    def isolated_account(self) -> bool:
        return self._account is not None

    def _config(self) -> dict[str, object]:
        limits = self.limits
        config: dict[str, object] = {
            "workdir": str(self.workdir), "cpu_seconds": limits.cpu_seconds, "file_size_mb": limits.file_size_mb,
            "open_files": limits.open_files, "hide": self._hide, "keep": _runtime_paths(),
            "masks": _masks(_runtime_paths(), limits.tmp_mb),
            "cgroups": self._groups.procs_files() if self._groups else [],
            "private_mounts": self._account is not None,
            "address_space_mb": None if self._groups else limits.memory_mb * 4,  # virtual size runs ahead of use
        }
        if self._account is not None:
            config.update(uid=self._uid, gid=self._account.gid,
                          nproc=None if self._groups else limits.processes)
        return config

    def spawn(self, argv: Sequence[str], channel: bool = False, extra_env: Mapping[str, str] | None = None
              ) -> SandboxProcess:
        """Start `argv` in the sandbox. With `channel`, stdin and stdout are pipes for the caller (a
        protocol) and the program's own output is its stderr; otherwise both go to `output`."""
        command = [sys.executable, "-I", "-S", str(ENTER), json.dumps(self._config()), "--", *argv]
        popen = subprocess.Popen(
            command, cwd=self.workdir, env={**self.env, **(extra_env or {})},
            stdin=subprocess.PIPE if channel else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if channel else subprocess.STDOUT,
            start_new_session=True, close_fds=True,
        )
        stream = popen.stderr if channel else popen.stdout
        assert stream is not None
        process = SandboxProcess(popen, OutputTail(stream, self.limits.output_bytes), self)
        self._processes.append(process)
        return process

    def out_of_memory(self) -> bool:
        return self._groups is not None and self._groups.out_of_memory()

    def kill_all(self) -> None:
        """Every process this sandbox started, and everything they started, wherever it went."""
        for process in self._processes:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        if self._groups is not None:
            self._groups.kill_all()
        if self._account is not None:
            reaper.kill_until_gone(lambda: reaper.by_uid(self._uid))
        else:
            reaper.kill_until_gone(lambda: reaper.by_marker(self.token))
        for process in self._processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=5)
            process.output.finish()
            for stream in (process.popen.stdin, process.popen.stdout, process.popen.stderr):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()
        self._processes = []

    def close(self) -> None:
        self.kill_all()
        if self._groups is not None:
            self._groups.remove()
            self._groups = None
        if hasattr(self, "workdir"):
            shutil.rmtree(self.workdir, ignore_errors=True)
        if self._account is not None:
            self._account.release()
            self._account = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
