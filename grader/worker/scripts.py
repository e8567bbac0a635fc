"""Running a learner's shell script (a backup or restore script) as a subprocess.

Started in the sandbox like all learner code: a scrubbed environment (only what the caller passes:
the learner role's connection, PATH to the right client tools), a private working folder, its own
account when the grader is root, a timeout, and the whole tree killed at the end; output capped.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox import Sandbox

MAX_OUTPUT_CHARS = 2000


@dataclass(frozen=True)
class ScriptRun:
    exit_code: int | None  # None: stopped at the timeout
    output: str  # the tail of stdout and stderr together

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def shell() -> str:
    return shutil.which("bash") or "/bin/sh"


def run_script(script: Path, args: Sequence[str], env: Mapping[str, str], cwd: Path, timeout_s: float) -> ScriptRun:
    """`bash script args…` with exactly `env`, in a sandbox holding a copy of `cwd` (where `script` is);
    what the script wrote there comes back to `cwd`, and its whole tree is killed when it ends."""
    granted = {k: v for k, v in env.items() if k != "HOME"}  # the sandbox's own folder is its home
    with Sandbox(granted, files_from=cwd) as sandbox:
        inside = [a.replace(str(cwd), str(sandbox.workdir)) for a in args]
        process = sandbox.spawn([shell(), str(sandbox.workdir / script.relative_to(cwd)), *inside])
        code: int | None
        try:
            code = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            code = None
        sandbox.kill_all()  # and what the script left running in the background
        text = process.output.since(limit=MAX_OUTPUT_CHARS).replace(str(sandbox.workdir), str(cwd))
        shutil.copytree(sandbox.workdir, cwd, dirs_exist_ok=True, symlinks=True)  # the dumps it wrote, for the checks
    return ScriptRun(code, text.strip())
