"""Where a warm check's wall time goes: py-spy samples the warm grader and every process it forks or
starts (the command, its pytest child, sandboxed workers) while one command runs, idle waits included,
and each sample is filed under the innermost function of the grader it was in.

Used by bench_speed.py for the targets it misses; needs py-spy (the `dev` extra) and the right to
trace (root, or ptrace allowed): without them the section says so instead.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

SAMPLES_PER_S = 200


def py_spy() -> str | None:
    return shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))


def profile(command: list[str], env: dict[str, str], state: Path, cwd: Path) -> list[str]:
    """Markdown lines: the command's wall time by grader function, largest first."""
    tool = py_spy()
    if tool is None:
        return ["(py-spy is not installed: `pip install -e '.[dev]'`)"]
    info = state / ".grader" / "grader-server.json"
    try:
        warm_pid = int(json.loads(info.read_text())["pid"])
    except (OSError, ValueError, KeyError):
        return ["(no warm grader to sample)"]
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "samples.txt"
        recorder = subprocess.Popen(
            [tool, "record", "--pid", str(warm_pid), "--subprocesses", "--idle", "--nonblocking",
             "--rate", str(SAMPLES_PER_S), "--format", "raw", "--output", str(raw)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.0)  # py-spy attaches
        started = time.perf_counter()
        subprocess.run(command, env=env, cwd=cwd, capture_output=True, check=False)
        elapsed = time.perf_counter() - started
        time.sleep(0.5)
        recorder.send_signal(signal.SIGINT)  # py-spy writes its file on an interrupt, not on SIGTERM
        _, err = recorder.communicate(timeout=30)
        if not raw.is_file():
            return [f"(py-spy could not sample: {err.decode(errors='replace').strip()[-200:]})"]
        by_place = attribute(raw.read_text())
    lines = [f"One run, {elapsed:.2f} s wall. Seconds sampled in each place (waits included; processes run side "
             "by side, so the seconds may add up to more than the wall time):", ""]
    lines += [f"- {count / SAMPLES_PER_S:.2f} s {place}" for place, count in by_place.most_common(14)
              if count / SAMPLES_PER_S >= 0.01]
    return lines


# Waits that only mean "another process is working": that process's own samples say on what.
WAITING_FOR_A_CHILD = ("launch.ForkedChild.wait", "server._pass_interrupts", "server.serve")
WORKER_IDLE = "__main__.main"
OURS = ("grader/", "labs/", "tests/", "backend-labs-sandboxes/")  # the grader, the checks, the learner's code


def attribute(raw: str) -> Counter[str]:
    """Samples per place: which process (the command, its checks' process, a learner worker), the
    innermost grader frame, and the frame it was in when that was not the same."""
    places: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        depth = sum(f.startswith("process ") for f in frames)
        code = [f for f in frames if not f.startswith("process ")]
        if not code or "Thread._bootstrap" in stack:
            continue  # helper threads (watchdogs, pipe readers)
        ours = [_name(f) for f in code if any(part in f for part in OURS)]
        place = ours[-1] if ours else "start-up (interpreter, imports)"
        leaf = _name(code[-1])
        if place in WAITING_FOR_A_CHILD or (place == WORKER_IDLE and leaf == place):
            continue
        process = {1: "warm grader", 2: "command"}.get(depth, "checks" if depth == 3 else "worker")
        places[f"{process}: {place}" + ("" if leaf == place else f" → {leaf}")] += int(count)
    return places


def _name(frame: str) -> str:
    """`function (path/to/module.py:12)` -> `module.function`."""
    function, _, where = frame.partition(" (")
    module = Path(where.split(":")[0]).stem
    return f"{module}.{function}" if module else function
