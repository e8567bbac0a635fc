"""What a learner process may use. The defaults suit a worker or a small web service."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SandboxLimits:
    cpu_seconds: int = 120          # CPU time of one process (RLIMIT_CPU): an endless loop ends on its own
    memory_mb: int = 1024           # the whole tree (cgroup) or each process (address space, without cgroups)
    processes: int = 64             # the whole tree (cgroup pids.max) or the account (RLIMIT_NPROC)
    file_size_mb: int = 64          # the largest file one process may write (RLIMIT_FSIZE)
    open_files: int = 256           # RLIMIT_NOFILE
    tmp_mb: int = 64                # the private /tmp and /dev/shm (root only: a tmpfs of this size)
    output_bytes: int = 256 * 1024  # what is kept of the learner's output (the tail); the rest is counted
