"""Running the real `grader` command in a subprocess, against the repository or a copy of it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def grader(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT,
           timeout: float = 300) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=timeout, check=False)


def grader_json(*args: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    done = grader(*args, "--format", "json", env=env)
    try:
        return done.returncode, json.loads(done.stdout)
    except ValueError as exc:
        raise AssertionError(f"not JSON (exit {done.returncode}):\n{done.stdout}\n{done.stderr}") from exc


def copy_of_repo(labs_wanted: list[str]) -> Path:
    """A scratch checkout with only some labs, readable by the unprivileged server account."""
    scratch = Path(tempfile.mkdtemp(prefix="grader-test-root-"))
    scratch.chmod(0o755)
    (scratch / "labs").mkdir()
    shutil.copytree(ROOT / "labs" / "datasets", scratch / "labs" / "datasets")
    for lab in labs_wanted:
        shutil.copytree(ROOT / "labs" / lab, scratch / "labs" / lab)
    (scratch / "labs" / "course.yaml").write_text(
        "title: test\ntracks:\n  - id: sql\n    title: SQL\n    labs: [" + ", ".join(labs_wanted) + "]\n"
    )
    return scratch
