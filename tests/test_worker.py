"""Learner Python runs in a subprocess: results cross as data; hangs, crashes and prints are handled."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.checks.problems import SubmissionProblem
from grader.worker.client import Worker

SOLUTION = '''
import os, sys
def add(a, b):
    print("adding", a, b)
    return a + b
def spin():
    while True:
        pass
def fail():
    return {}["missing"]
def not_data():
    return object()
def leave():
    os._exit(3)
def pid():
    return os.getpid()
'''


@pytest.fixture
def worker(tmp_path: Path) -> Worker:
    (tmp_path / "solution.py").write_text(SOLUTION)
    return Worker(tmp_path, {}, timeout_s=1.5)


def test_values_cross_as_data_in_another_process(worker: Worker) -> None:
    import os

    assert worker.call("add", 2, 3) == 5
    assert worker.call("pid") != os.getpid()
    worker.close()


def test_an_endless_loop_times_out_and_the_next_call_works(worker: Worker) -> None:
    with pytest.raises(SubmissionProblem, match=r"did not return within 1\.5 s"):
        worker.call("spin")
    assert worker.call("add", 1, 1) == 2
    worker.close()


def test_exceptions_show_the_learners_frames_and_prints(worker: Worker) -> None:
    with pytest.raises(SubmissionProblem) as caught:
        worker.call("fail")
    assert "KeyError" in str(caught.value) and 'File "solution.py"' in str(caught.value)
    worker.close()


def test_prints_do_not_corrupt_results_and_are_shown_on_failure(worker: Worker) -> None:
    assert worker.call("add", "a", "b") == "ab"
    with pytest.raises(SubmissionProblem, match="unsupported operand") as caught:
        worker.call("add", 1, "b")
    shown = str(caught.value)  # the tail since the call began (a late line of the call before may lead it)
    assert "--- your code printed ---\n" in shown and shown.endswith("adding 1 b")
    worker.close()


def test_non_data_results_and_exits_are_explained(worker: Worker) -> None:
    with pytest.raises(SubmissionProblem, match="not plain data"):
        worker.call("not_data")
    with pytest.raises(SubmissionProblem, match="ended the Python process"):
        worker.call("leave")
    worker.close()


def test_a_syntax_error_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "solution.py").write_text("def f(:\n    pass\n")
    worker = Worker(tmp_path, {}, timeout_s=5)
    with pytest.raises(SubmissionProblem, match=r"could not be imported:\nsolution.py, line 1"):
        worker.call("f")
    worker.close()


def test_a_missing_file_says_to_restore_the_starter(tmp_path: Path) -> None:
    with pytest.raises(SubmissionProblem, match=r"solution\.py is missing"):
        Worker(tmp_path, {}, timeout_s=5).call("f")


def test_ready_imports_the_module_before_any_call(tmp_path: Path) -> None:
    """Checks that race workers make them ready first: the import's time is not taken from a call's timeout."""
    (tmp_path / "solution.py").write_text("open('imported', 'w').close()\ndef pid():\n    import os\n"
                                          "    return os.getpid()\n")
    worker = Worker(tmp_path, {}, timeout_s=5)
    worker.ready()
    sandbox_files = worker._sandbox.workdir if worker._sandbox else None  # where the module runs
    assert sandbox_files is not None and (sandbox_files / "imported").exists(), "ready() did not import the module"
    first = worker.call("pid")
    assert worker.call("pid") == first  # the same process: ready() started it, the calls reuse it
    worker.close()


def test_ready_reports_a_module_that_cannot_be_imported(tmp_path: Path) -> None:
    (tmp_path / "solution.py").write_text("def broken(:\n")
    worker = Worker(tmp_path, {}, timeout_s=2)
    with pytest.raises(SubmissionProblem, match=r"solution\.py, line 1"):
        worker.ready()
    worker.close()


def test_start_importing_imports_while_the_caller_goes_on_and_the_next_call_reads_its_answer(tmp_path: Path) -> None:
    """The checks start each worker's import before the first check; the first call then finds it done."""
    import time

    (tmp_path / "solution.py").write_text("open('imported', 'w').close()\ndef pid():\n    import os\n"
                                          "    return os.getpid()\n")
    worker = Worker(tmp_path, {}, timeout_s=5)
    worker.start_importing()  # returns at once: nothing is read from the worker here
    marker = worker._sandbox.workdir / "imported" if worker._sandbox else None
    deadline = time.monotonic() + 30
    while marker is not None and not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker is not None and marker.exists(), "the module was not imported before any call"
    first = worker.call("pid")  # reads the import's answer, then this call's
    assert isinstance(first, int) and worker.call("pid") == first
    worker.ready()  # nothing pending any more: an import request of its own, answered at once
    worker.close()


def test_a_failed_import_started_early_is_reported_by_the_first_call_with_what_it_printed(tmp_path: Path) -> None:
    (tmp_path / "solution.py").write_text("print('loading the module')\nraise RuntimeError('no config')\n"
                                          "def add(a, b):\n    return a + b\n")
    worker = Worker(tmp_path, {}, timeout_s=5)
    worker.start_importing()
    with pytest.raises(SubmissionProblem, match="could not be imported") as caught:
        worker.call("add", 1, 2)
    assert "RuntimeError: no config" in str(caught.value) and "loading the module" in str(caught.value)
    with pytest.raises(SubmissionProblem, match="could not be imported"):  # each call tries the import again
        worker.call("add", 1, 2)
    worker.close()


def test_an_endless_import_started_early_ends_as_the_import_timeout(tmp_path: Path) -> None:
    (tmp_path / "solution.py").write_text("while True:\n    pass\n")
    worker = Worker(tmp_path, {}, timeout_s=1.5)
    worker.start_importing()
    with pytest.raises(SubmissionProblem, match=r"importing solution\.py did not finish within 1\.5 s"):
        worker.call("add", 1, 2)
    with pytest.raises(SubmissionProblem, match="not called again after that timeout"):
        worker.call("add", 1, 2)
    worker.close()
