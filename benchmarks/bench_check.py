"""Wall time of `grader check LAB`: cold on Docker, cold on local servers, and warm after `services up`.

    .venv/bin/python benchmarks/bench_check.py [--runs 5] [--lab sql-joins] [--solution]

Each mode runs the real command as a subprocess, in its own state folder (GRADER_ROOT with a link
to labs/), so warm services of people working in this checkout are neither used nor disturbed.
"Cold" means no warm services: the command starts its servers, seeds, grades and stops them.
"Warm" means after `grader services up` (docker backend): the command reuses the running servers.
The modes take turns run by run, so a busy machine slows them alike.
Images: GRADER_POSTGRES_IMAGE / GRADER_REDIS_IMAGE when set, else the stand-ins `make docker-images`
builds. A benchmark, not a test: it prints numbers and asserts only that every run graded
(exit 0 or 1, never 2) and that no grader container is left behind.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRADER = str(Path(sys.executable).with_name("grader"))
STAND_INS = {
    "GRADER_POSTGRES_IMAGE": "backend-labs/postgres:15-local",
    "GRADER_REDIS_IMAGE": "backend-labs/redis:7-local",
}


def environment(state: Path, backend: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not (k.startswith("GRADER_") and k.endswith(("_URL", "_BACKEND")))}
    for name, image in STAND_INS.items():
        env.setdefault(name, image)
    env.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
    return {**env, "GRADER_ROOT": str(state), "GRADER_BACKEND": backend}


FOLDERS: list[Path] = []


def state_folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="grader-bench-"))
    (folder / "labs").symlink_to(ROOT / "labs")
    FOLDERS.append(folder)
    return folder


def grader(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run([GRADER, *args], env=env, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):
        sys.exit(f"`grader {' '.join(args)}` exited {result.returncode}:\n{result.stderr}\n{result.stdout[-3000:]}")
    return elapsed


def leftover_containers() -> list[str]:
    out = subprocess.run(["docker", "ps", "-aq", "--filter", "label=org.backend-labs.grader=1"],
                         capture_output=True, text=True, check=False).stdout
    return out.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lab", default="sql-joins")
    parser.add_argument("--solution", action="store_true", help="grade the reference instead of the starter")
    options = parser.parse_args()
    check = ["check", options.lab, "--format", "json", *(["--solution"] if options.solution else [])]
    before = set(leftover_containers())

    envs = {"cold docker": environment(state_folder(), "docker"), "cold local": environment(state_folder(), "local"),
            "warm docker": environment(state_folder(), "docker")}
    times: dict[str, list[float]] = {mode: [] for mode in envs}
    load_before = os.getloadavg()[0]
    up = grader(["services", "up"], envs["warm docker"])
    try:
        for env in envs.values():
            grader(check, env)  # one uncounted run per mode: file cache and bytecode, not services
        # Round-robin, so that the machine's changing load falls on every mode alike.
        for _ in range(options.runs):
            for mode, env in envs.items():
                times[mode].append(grader(check, env))
    finally:
        grader(["services", "down"], envs["warm docker"])

    print(f"grader {' '.join(check)}: {options.runs} runs per mode, interleaved, after one uncounted run each; "
          f"`services up` took {up:.2f} s; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after "
          f"({os.cpu_count()} CPUs)")
    print(f"{'mode':<12} {'median':>8} {'min':>8} {'max':>8}   runs (s)")
    medians = {}
    for mode, values in times.items():
        medians[mode] = statistics.median(values)
        print(f"{mode:<12} {medians[mode]:>7.2f}s {min(values):>7.2f}s {max(values):>7.2f}s   "
              + " ".join(f"{v:.2f}" for v in values))
    print(f"cold docker / cold local  = {medians['cold docker'] / medians['cold local']:.2f}")
    print(f"cold docker / warm docker = {medians['cold docker'] / medians['warm docker']:.2f}")
    print(f"cold local  / warm docker = {medians['cold local'] / medians['warm docker']:.2f}")
    left = set(leftover_containers()) - before
    if left:
        sys.exit(f"grader containers left behind: {' '.join(sorted(left))}")
    print("no grader container left behind")


if __name__ == "__main__":
    try:
        main()
    finally:
        for folder in FOLDERS:
            shutil.rmtree(folder, ignore_errors=True)
