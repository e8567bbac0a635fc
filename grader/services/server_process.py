"""Running a server binary in a private temp dir, as an unprivileged user when we are root.

PostgreSQL refuses to run as root, and a learner's container often is root: we then run every
local server as the `postgres` OS user if the system has one, else as `nobody`.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import port_for
from mirakuru import TCPExecutor
from mirakuru.exceptions import AlreadyRunning, ProcessExitedWithError, TimeoutExpired

from grader.errors import ServiceUnavailable

UNPRIVILEGED_CANDIDATES = ("postgres", "nobody")
OWNER_FILE = "grader-owner.pid"
MEMORY_DISK = Path("/dev/shm")
# Below this much free memory disk a server's folder goes to the temp dir instead: a whole-course run
# keeps tens of seeded templates and copies (a few hundred MB) plus the write-ahead log.
MEMORY_DISK_MIN_FREE = 2 << 30


def run_as() -> pwd.struct_passwd | None:
    """The account to run servers as: None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in UNPRIVILEGED_CANDIDATES:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise ServiceUnavailable(
        "running as root and no unprivileged account ('postgres' or 'nobody') exists to run servers as",
        "create one (useradd --system postgres) or run the grader as a normal user",
    )


def user_kwargs(account: pwd.struct_passwd | None) -> dict[str, Any]:
    """subprocess keyword arguments that drop root's user, group and supplementary groups."""
    if account is None:
        return {}
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


def scratch_roots() -> list[Path]:
    """Every folder scratch_root may have chosen, now or in an earlier run (for the leftovers' sweep)."""
    candidates = [scratch_root(), MEMORY_DISK, Path(tempfile.gettempdir())]
    return [root for i, root in enumerate(candidates) if root.is_dir() and root not in candidates[:i]]


def scratch_root() -> Path:
    """The folder for a throw-away server's data: the memory disk (Linux's /dev/shm) when it is writable
    and roomy, because a database copy costs about ten times more on a real disk (CREATE DATABASE writes
    the whole template through the write-ahead log), and the servers run without fsync anyway; else
    the temp dir. GRADER_SCRATCH_DIR chooses another folder."""
    chosen = os.environ.get("GRADER_SCRATCH_DIR")
    if chosen:
        return Path(chosen)
    try:
        usage = shutil.disk_usage(MEMORY_DISK)
        if os.access(MEMORY_DISK, os.W_OK | os.X_OK) and usage.free >= MEMORY_DISK_MIN_FREE:
            return MEMORY_DISK
    except OSError:
        pass
    return Path(tempfile.gettempdir())


def private_dir(prefix: str, account: pwd.struct_passwd | None) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=scratch_root()))
    (folder / OWNER_FILE).write_text(str(os.getpid()))  # a killed owner's server is pruned (leftovers.py)
    if account is not None:
        os.chown(folder, account.pw_uid, account.pw_gid)
    folder.chmod(0o700)
    return folder


def free_port() -> int:
    port: int = port_for.select_random()
    return port


def run_checked(command: list[str], account: pwd.struct_passwd | None, what: str) -> None:
    """Run a set-up command (initdb) and turn a failure into an error that shows its output."""
    result = subprocess.run(command, capture_output=True, text=True, check=False, **user_kwargs(account))
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-8:])
        raise ServiceUnavailable(f"{what} failed (exit {result.returncode}):\n{tail}", "see the output above")


def copy_checked(source: Path, target: Path, account: pwd.struct_passwd | None) -> None:
    """Copy a folder with its modes (a PostgreSQL data folder must be 0700) as the server's account."""
    run_checked(["cp", "-R", "-p", str(source), str(target)], account, f"copying {source.name}")


class ServerProcess:
    """One server process on 127.0.0.1:port, stopped with `stop_signal`; its folder is removed on stop."""

    def __init__(
        self,
        command: list[str],
        port: int,
        folder: Path,
        account: pwd.struct_passwd | None,
        log_name: str,
        stop_signal: int = signal.SIGTERM,
        timeout_s: float = 60,
    ) -> None:
        self.folder = folder
        self.log_path = folder / log_name
        self._log = self.log_path.open("w")
        if account is not None:
            os.chown(self.log_path, account.pw_uid, account.pw_gid)
        self.executor = TCPExecutor(
            command,
            host="127.0.0.1",
            port=port,
            timeout=timeout_s,
            stop_signal=stop_signal,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            popen_kwargs=user_kwargs(account),
        )

    def start(self) -> None:
        try:
            self.executor.start()
        except (TimeoutExpired, ProcessExitedWithError, AlreadyRunning) as exc:
            log_tail = self.log_tail()
            self.stop()
            raise ServiceUnavailable(
                f"server did not start: {type(exc).__name__}\n--- last log lines ---\n{log_tail}",
                "see the log lines above; a port clash or a full disk are the usual causes",
            ) from None
        except OSError as exc:  # the binary could not be executed at all (permissions, wrong platform)
            self.stop()
            raise ServiceUnavailable(
                f"could not run {self.executor.command_parts[0]}: {exc.strerror or exc}",
                "check that the server binary exists and that the account the grader runs servers as "
                "(postgres or nobody when root) may execute it and read the folders above it",
            ) from None

    def wait_until(self, answers: Callable[[], bool], timeout_s: float = 30.0) -> bool:
        """Poll a real request until it succeeds: an open port is not a ready server
        (PostgreSQL says "the database system is starting up" for a while, longer under load)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if answers():
                return True
            if not self.executor.running():
                return False
            time.sleep(0.1)
        return answers()

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        try:
            if self.executor.running():
                self.executor.stop()
        finally:
            self._log.close()
            shutil.rmtree(self.folder, ignore_errors=True)
