"""cgroup v1 `memory` and `pids` groups for one sandbox, when the grader is root and they are writable.

The group limits the learner's whole process tree (not each process), finds every process in it
(`setsid` and double forks included) and tells an out-of-memory kill from a crash.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("memory", "pids")
PARENT = "backend-labs"


class ControlGroups:
    def __init__(self, name: str, memory_mb: int, processes: int) -> None:
        self.paths = [ROOT / controller / PARENT / name for controller in CONTROLLERS]
        for path in self.paths:
            if path.exists():  # a killed run's group of the same lease: empty it first
                _kill_members(path)
                with contextlib.suppress(OSError):
                    path.rmdir()
            path.mkdir(parents=True, exist_ok=True)
        memory, pids = self.paths
        limit = str(memory_mb * 1024 * 1024)
        (memory / "memory.limit_in_bytes").write_text(limit)
        with contextlib.suppress(OSError):  # absent without swap accounting
            (memory / "memory.memsw.limit_in_bytes").write_text(limit)
        (pids / "pids.max").write_text(str(processes))

    @staticmethod
    def available() -> bool:
        return os.geteuid() == 0 and all(os.access(ROOT / c, os.W_OK) for c in CONTROLLERS)

    def procs_files(self) -> list[str]:
        return [str(path / "cgroup.procs") for path in self.paths]

    def kill_all(self) -> None:
        for path in self.paths:
            _kill_members(path)

    def out_of_memory(self) -> bool:
        control = self.paths[0] / "memory.oom_control"
        with contextlib.suppress(OSError):
            for line in control.read_text().splitlines():
                if line.startswith("oom_kill ") and int(line.split()[1]) > 0:
                    return True
        with contextlib.suppress(OSError, ValueError):
            return int((self.paths[0] / "memory.failcnt").read_text()) > 0 and not self.members()
        return False

    def members(self) -> list[int]:
        with contextlib.suppress(OSError):
            return [int(p) for p in (self.paths[1] / "cgroup.procs").read_text().split()]
        return []

    def remove(self) -> None:
        self.kill_all()
        for path in self.paths:
            for _ in range(50):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # still busy while the kernel reaps the last member
                    time.sleep(0.02)


def _kill_members(path: Path) -> None:
    procs = path / "cgroup.procs"
    for _ in range(200):
        try:
            members = [int(p) for p in procs.read_text().split()]
        except OSError:
            return
        if not members:
            return
        for pid in members:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.005)
