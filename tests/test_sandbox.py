"""The sandbox every learner process starts in: what it hides, what it limits, what it kills."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from grader.sandbox import Sandbox, SandboxLimits, accounts, reaper

ROOT = Path(__file__).resolve().parent.parent
AS_ROOT = accounts.privileged()


def run(sandbox: Sandbox, script: str, timeout: float = 30) -> tuple[int, str]:
    process = sandbox.spawn(["python3", "-c", script])
    code = process.wait(timeout)
    process.output.finish()
    return code, process.output.since()


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "solution.py").write_text("ANSWER = 42\n")
    return folder


def test_holds_only_the_given_files_and_a_scrubbed_environment(files: Path) -> None:
    os.environ["GRADER_SECRET_FOR_TEST"] = "s3cret"
    try:
        with Sandbox({"GRANTED": "yes"}, files_from=files) as sandbox:
            code, out = run(sandbox, "import os, json; print(json.dumps([sorted(os.listdir('.')), dict(os.environ)]))")
    finally:
        del os.environ["GRADER_SECRET_FOR_TEST"]
    assert code == 0, out
    assert '["solution.py"]' in out
    assert "GRANTED" in out and "s3cret" not in out and "GRADER_SECRET_FOR_TEST" not in out


@pytest.mark.skipif(not AS_ROOT, reason="own accounts and hidden folders need root (CI and containers run as root)")
def test_as_root_runs_under_its_own_account_and_cannot_read_the_course(files: Path) -> None:
    course = ROOT / "labs" / "course.yaml"
    with Sandbox({}, files_from=files, hide=[ROOT / "labs"]) as sandbox:
        code, out = run(sandbox, f"""
import os
print("uid", os.getuid())
for path in [{str(course)!r}, "/etc/shadow", "/proc/1/environ"]:
    try:
        open(path).read(); print("READ", path)
    except OSError as exc:
        print("refused", path, type(exc).__name__)
print("tmp", os.listdir("/tmp"))
""")
    assert code == 0, out
    assert "uid 0" not in out and "READ" not in out, out
    # a private /tmp: the grader's run folders (context, results) are not there; only the empty mount
    # point of the hidden course remains when the checkout itself lies under /tmp
    under_tmp = ROOT.is_relative_to("/tmp")
    assert f"tmp {[ROOT.relative_to('/tmp').parts[0]] if under_tmp else []}" in out, out


def test_the_whole_tree_is_killed_setsid_escapes_included(files: Path) -> None:
    with Sandbox({}, files_from=files) as sandbox:
        process = sandbox.spawn(["sh", "-c", "setsid sleep 300 & setsid sh -c 'sleep 301' & sleep 302"])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(reaper.by_marker(sandbox.token)) < 3:
            time.sleep(0.05)
        assert len(reaper.by_marker(sandbox.token)) >= 3
        token = sandbox.token
    assert process.poll() is not None
    assert reaper.by_marker(token) == []


def test_memory_limit_ends_the_process_with_a_reason(files: Path) -> None:
    with Sandbox({}, SandboxLimits(memory_mb=128), files_from=files) as sandbox:
        process = sandbox.spawn(["python3", "-c", "x = bytearray(900 * 1024 * 1024); print('allocated')"])
        process.wait(60)
        process.output.finish()
        assert process.popen.returncode != 0
        assert "allocated" not in process.output.since()
        assert "memory" in process.exit_reason() or "MemoryError" in process.output.since()


def test_output_is_capped_and_the_flood_does_not_block(files: Path) -> None:
    with Sandbox({}, SandboxLimits(output_bytes=4096), files_from=files) as sandbox:
        flood = "import sys\nfor _ in range(20000): sys.stdout.write('x' * 1000 + '\\n')\nprint('END')"
        code, out = run(sandbox, flood)
    assert code == 0
    assert out.endswith("END\n") and "earlier output cut" in out and len(out) < 6000


def test_cpu_limit(files: Path) -> None:
    with Sandbox({}, SandboxLimits(cpu_seconds=1), files_from=files) as sandbox:
        process = sandbox.spawn(["python3", "-c", "while True: pass"])
        process.wait(30)
        assert "CPU" in process.exit_reason()


def test_a_killed_child_waiting_to_be_reaped_counts_as_gone() -> None:
    """Clean-up reaps its children only after the kill: a zombie must not keep the kill loop spinning."""
    child = subprocess.Popen(["sleep", "60"])
    os.kill(child.pid, signal.SIGKILL)
    while not reaper._zombie(child.pid):
        time.sleep(0.01)
    rounds = []
    reaper.kill_until_gone(lambda: rounds.append(1) or [child.pid])
    child.wait()
    assert len(rounds) == 1, f"the loop looked {len(rounds)} times for a process that was already dead"
    assert not reaper._zombie(os.getpid()), "a live process is not a zombie"
