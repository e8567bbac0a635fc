"""A lab's public checks all run before its hidden ones, and a variant's processes end with its last check:
a lab holds one variant's contenders at a time. Results still come in the order the checks were collected."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import copy_of_repo, grader_json

LAB = "redis-distributed-lock"
CHECK = '''
import os

import pytest

PUBLIC_PIDS = []
VARIANTS_RUN = []


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.task(1)
def test_zz_first(variant, seed):
    """the first of two checks, on each variant"""
    VARIANTS_RUN.append(variant)


@pytest.mark.task(1)
def test_zz_one_variant_at_a_time(variant, seed, contenders, submission):
    """the public variant's processes are gone when the hidden variant's checks run"""
    workers = [*contenders(3), submission]
    for worker in workers:
        worker.ready()
    if variant == "public":
        PUBLIC_PIDS.extend(worker.pid for worker in workers)
        VARIANTS_RUN.append(variant)
        return
    assert VARIANTS_RUN == ["public", "public", "hidden"], f"checks ran on the variants {VARIANTS_RUN}"
    assert len(PUBLIC_PIDS) == 4, "the public variant's processes were recorded"
    still = [pid for pid in PUBLIC_PIDS if alive(pid)]
    assert not still, f"public processes still running: {still}"
'''


@pytest.fixture
def scratch() -> Iterator[Path]:
    root = copy_of_repo([LAB])
    (root / "labs" / LAB / "tests" / "test_zz_variant_order.py").write_text(CHECK)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_public_processes_end_before_hidden_checks_and_results_keep_collection_order(scratch: Path) -> None:
    code, report = grader_json("check", LAB, "--solution", env={"GRADER_ROOT": str(scratch)})
    tests = report["labs"][0]["tests"]
    mine = [t for t in tests if t["name"].startswith("the public variant's processes")]
    assert [t["status"] for t in mine] == ["pass", "pass"], mine
    assert code == 0, [t for t in tests if t["status"] != "pass"]
    names = [t["name"] for t in tests]
    public = [t["name"] for t in tests if t["visibility"] == "public"]
    for name in public:  # each public check is followed by its run on the hidden data, as collected
        assert names[names.index(name) + 1] == f"{name} (hidden data)", names
