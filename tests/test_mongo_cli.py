"""The `grader` command on MongoDB labs: the emulator's label, and the error when no MongoDB can be had."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from tests.helpers import grader, grader_json

EMULATED = {"GRADER_MONGODB_BACKEND": "emulated"}
ROOT = Path(__file__).resolve().parent.parent


def test_emulated_solution_scores_full_and_is_labelled() -> None:
    code, report = grader_json("check", "mongo-aggregation", "--solution", env=EMULATED)
    lab = report["labs"][0]
    assert code == 0 and report["score"] == report["max_score"] > 0, lab
    assert any("NOT a real MongoDB server" in s for s in lab["services"]), lab["services"]
    assert all("MongoDB emulator" in t["message"] for t in lab["tests"]), "passes on the emulator must say so"
    done = grader("check", "mongo-aggregation", "--solution", "--format", "json", env=EMULATED)
    assert "EMULATOR" in done.stderr, "the banner goes to stderr so the JSON stays clean"
    text = grader("check", "mongo-aggregation", "--solution", env=EMULATED)
    assert "EMULATOR" in text.stdout and "final grading uses a real server" in " ".join(text.stdout.split())


def test_emulated_wrong_case_scores_less(tmp_path: Path) -> None:
    meta = ROOT / "labs" / "mongo-aggregation" / ".meta"
    shutil.copytree(meta / "solution", tmp_path, dirs_exist_ok=True)  # the case holds only what it changes
    shutil.copytree(meta / "wrong" / "count-after-unwind", tmp_path, dirs_exist_ok=True)
    code, report = grader_json("check", "mongo-aggregation", "--submission", str(tmp_path), env=EMULATED)
    assert code == 1 and report["score"] < report["max_score"], report["labs"][0]["tests"]
    failed = [t for t in report["labs"][0]["tests"] if t["status"] == "fail"]
    assert failed and all("missing" not in t["message"].split(":")[0] for t in failed)


def test_feature_checks_are_errors_with_the_reason_on_the_emulator() -> None:
    code, report = grader_json("check", "mongo-indexing-explain", "--solution", env=EMULATED)
    tests = report["labs"][0]["tests"]
    refused = [t for t in tests if t["status"] == "error"]
    assert code == 2 and refused, "explain checks cannot pass on the emulator"
    assert all("not run on the MongoDB emulator" in t["message"] and "explain" in t["message"] for t in refused)
    assert all(t["status"] == "pass" for t in tests if t not in refused), "the index checks still run and pass"


def test_no_mongodb_anywhere_is_a_clear_lab_error() -> None:
    env = {"PATH": str(Path(sys.executable).parent), "DOCKER_HOST": "unix:///nonexistent/docker.sock",
           "GRADER_MONGODB_BACKEND": "", "GRADER_BACKEND": "", "GRADER_MONGODB_URL": "", "GRADER_MONGOD": ""}
    code, report = grader_json("check", "mongo-aggregation", "--solution", env={**os.environ, **env})
    lab = report["labs"][0]
    assert code == 2 and lab["status"] == "error"
    for way in ("Docker", "mongod", "GRADER_MONGODB_URL"):
        assert way in lab["message"], f"the error should name {way}: {lab['message']}"
