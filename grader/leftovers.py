"""What a killed run leaves behind, found by its owner's pid and removed by the next run (or
`grader services prune`): local servers and their temp folders, run databases and roles, Redis
leases, sandbox accounts' processes, cgroups and folders, and context folders of older graders.

Everything here is keyed to a process that is gone, so a concurrent run's resources are never touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from grader import pids
from grader.sandbox import accounts, reaper
from grader.sandbox.cgroups import PARENT, ROOT
from grader.sandbox.sandbox import ROOT_WORKDIRS
from grader.services.server_process import OWNER_FILE, scratch_roots

SERVER_PREFIXES = ("grader-pg-", "grader-redis-", "grader-mongo-", "grader-pgcluster-building-")
LEGACY_CONTEXT_PREFIX = "grader-run-"  # older graders wrote the run context (admin URLs) there
LEGACY_AGE_S = 3600.0
_pruned = False


def prune_once() -> list[str]:
    """At the start of the first lab of a process: what killed runs left on this machine."""
    global _pruned
    if _pruned:
        return []
    _pruned = True
    return prune_local()


def prune_local() -> list[str]:
    removed = [*_server_folders(), *_sandbox_accounts(), *_legacy_contexts()]
    return removed


def after_abnormal_end(services: Mapping[str, str]) -> list[str]:
    """After a pytest child that did not finish: its databases, roles, leases and sandboxes."""
    return [*prune_services(services), *_sandbox_accounts()]


def prune_services(services: Mapping[str, str]) -> list[str]:
    removed: list[str] = []
    if "postgres" in services:
        from grader.isolation.postgres import PostgresIsolation

        with contextlib.suppress(Exception), PostgresIsolation(services["postgres"]) as iso:
            removed += [f"postgres {name}" for name in iso.drop_leftovers()]
    if "redis" in services:
        from grader.isolation.redis import release_leftovers

        with contextlib.suppress(Exception):
            removed += [f"redis lease of db {db}" for db in release_leftovers(services["redis"])]
    return removed


def _server_folders() -> list[str]:
    removed = []
    for prefix in SERVER_PREFIXES:
        for folder in (f for root in scratch_roots() for f in root.glob(prefix + "*")):
            owner = folder / OWNER_FILE
            try:
                pid = int(owner.read_text())
            except (OSError, ValueError):
                continue  # not ours, or still being made
            if pids.alive(pid):
                continue
            _stop_processes_using(folder)
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(f"server folder {folder} (owner pid {pid} is gone)")
    return removed


def _stop_processes_using(folder: Path) -> None:
    """A server started from `folder` names it on its command line (-D …/data, --dir …)."""
    needle = str(folder).encode()

    def find() -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if needle in (entry / "cmdline").read_bytes():
                        found.append(int(entry.name))
        return found

    for pid in find():  # a clean stop first (PostgreSQL: SIGINT is its fast shutdown)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + 10
    while find() and time.monotonic() < deadline:
        time.sleep(0.1)
    reaper.kill_until_gone(find)


def _sandbox_accounts() -> list[str]:
    """Sandbox uids nobody leases any more: their processes, cgroups and folders."""
    if not accounts.privileged() or not accounts.LEASES.is_dir():
        return []
    removed = []
    processes = reaper.by_uids()  # one pass over /proc and the work folders, not one per account
    workdirs = list(ROOT_WORKDIRS.iterdir()) if ROOT_WORKDIRS.is_dir() else []
    for lease in accounts.LEASES.iterdir():
        if not lease.name.isdigit():
            continue
        uid = int(lease.name)
        fd = os.open(lease, os.O_RDWR)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live sandbox holds it
            leftovers = processes.get(uid, [])
            folders = [folder for folder in workdirs if folder.name.startswith(f"u{uid}-")]
            groups = [ROOT / c / PARENT / f"u{uid}" for c in ("memory", "pids")]
            groups = [g for g in groups if g.exists()]
            if leftovers:
                reaper.kill_until_gone(lambda uid=uid: reaper.by_uid(uid))  # type: ignore[misc]
            for group in groups:
                with contextlib.suppress(OSError):
                    group.rmdir()
            for folder in folders:
                shutil.rmtree(folder, ignore_errors=True)
            if leftovers or folders or groups:
                removed.append(f"sandbox uid {uid}: {len(leftovers)} processes, {len(folders)} folders")
        finally:
            os.close(fd)
    return removed


def _legacy_contexts() -> list[str]:
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(LEGACY_CONTEXT_PREFIX + "*"):
        with contextlib.suppress(OSError):
            if time.time() - folder.stat().st_mtime > LEGACY_AGE_S and (folder / "context.json").exists():
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(f"old context folder {folder}")
    return removed
