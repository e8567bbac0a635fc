"""The student edition and the grading bundle, on real servers: `grader bundle` then `grader release` of the
sql-joins lab into a temporary folder, then grading inside that edition as a learner would.

What must hold: the edition contains nothing of the reference or the hidden checks (every released file is
searched for every `.meta` file's text) and not the bundle's secret; its public checks work offline,
without the reference, against the signed record (the reference's files copied in score 100 %, the starter
does not); an edited record is tampering (not graded); the released generators cannot produce the hidden
data the bundle's secret seals; and the bundle laid over the edition grades hidden checks too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader import bundle as bundles
from grader import datasets

ROOT = Path(__file__).resolve().parent.parent
LAB = "sql-joins"
MIN_TEXT = 20  # shorter .meta files (none today) could match by chance


def grader(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GRADER_ROOT": str(cwd), "GRADER_DOCKER_PULL": "never"}  # nothing fetched from outside
    if "GRADER_BACKEND" not in os.environ and "GRADER_POSTGRES_URL" not in os.environ:
        env["GRADER_BACKEND"] = "local"
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


def graded(edition: Path, *args: str) -> tuple[int, dict[str, Any]]:
    done = grader(edition, "check", LAB, *args, "--format", "json")
    return done.returncode, json.loads(done.stdout)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    folder = tmp_path_factory.mktemp("release")
    folder.chmod(0o755)
    bundle, edition = folder / "grading.bundle", folder / "edition"
    done = grader(ROOT, "bundle", str(bundle), "--labs", LAB)
    assert done.returncode == 0, done.stderr
    done = grader(ROOT, "release", str(edition), "--labs", LAB, "--bundle", str(bundle))
    assert done.returncode == 0, done.stderr + done.stdout
    yield edition, bundle


def released_files(edition: Path) -> list[Path]:
    return [p for p in edition.rglob("*") if p.is_file()]


def test_the_edition_holds_no_reference_hidden_check_or_secret(made: tuple[Path, Path]) -> None:
    edition, bundle = made
    assert not [p for p in edition.rglob(".meta")]
    texts = {p: p.read_text(encoding="utf-8", errors="replace") for p in released_files(edition)}
    meta = [p for p in (ROOT / "labs" / LAB / ".meta").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert len(meta) >= 5  # reference, hidden checks, wrong and alternative cases
    for secret_file in meta:
        content = secret_file.read_text(encoding="utf-8").strip()
        assert len(content) >= MIN_TEXT
        leaks = [str(p) for p, text in texts.items() if content in text]
        assert not leaks, f"{secret_file} is in {leaks}"
    keys = bundles.read(bundle).keys
    for secret in (keys.secret, keys.signing_key):
        assert not [p for p, text in texts.items() if secret in text]
    assert (edition / ".github" / "workflows" / "grade.yml").is_file()
    assert (edition / "labs" / LAB / "tests" / "reference-record.json").is_file()
    assert json.loads((edition / "labs" / "release.json").read_text())["public_key"] == keys.public_key


def test_the_editions_make_targets_find_every_file_they_need(made: tuple[Path, Path]) -> None:
    """`make lab` is the learner's first command: a prerequisite the release left out stops it cold."""
    edition, _ = made
    for target in (["setup"], ["lab", f"LAB={LAB}"]):
        done = subprocess.run(["make", "-n", *target], cwd=edition, capture_output=True, text=True, timeout=60,
                              check=False)
        assert done.returncode == 0, f"make -n {' '.join(target)} in the edition: {done.stderr}"


def test_public_checks_work_offline_against_the_record(made: tuple[Path, Path]) -> None:
    edition, _ = made
    code, starter = graded(edition)
    assert code == 1 and starter["score"] < starter["max_score"]
    assert all(t["visibility"] == "public" for t in starter["labs"][0]["tests"])
    queries = edition / "labs" / LAB / "queries"
    original = {p.name: p.read_text() for p in queries.iterdir()}
    try:
        shutil.copytree(ROOT / "labs" / LAB / ".meta" / "solution" / "queries", queries, dirs_exist_ok=True)
        code, reference = graded(edition)
        assert code == 0 and reference["score"] == reference["max_score"] > 0, reference
        assert reference["course"] == f"the checkout {edition}"

        record = edition / "labs" / LAB / "tests" / "reference-record.json"
        kept = record.read_text()
        try:  # the learner "fixes" the expected rows to match a wrong answer
            document = json.loads(kept)
            first = next(iter(document["answers"]))
            document["answers"][first]["$rows"]["rows"] = []
            record.write_text(json.dumps(document))
            code, tampered = graded(edition)
            assert code == 2 and tampered["score"] == 0
            assert "tampering detected" in tampered["labs"][0]["message"]
        finally:
            record.write_text(kept)

        code, sealed = graded(edition, "--bundle", str(made[1]))  # the grade of record: hidden checks too
        assert code == 0 and sealed["score"] == sealed["max_score"] > reference["max_score"]
        assert any(t["visibility"] == "hidden" for t in sealed["labs"][0]["tests"])
        assert "grading bundle" in sealed["course"]
    finally:
        for name, text in original.items():
            (queries / name).write_text(text)


def test_grader_start_in_the_edition_grades_against_the_record(made: tuple[Path, Path]) -> None:
    """`make lab` runs `grader start`: with no reference in the edition, it must replay the signed record."""
    edition, _ = made
    try:
        done = grader(edition, "start", LAB)
        assert done.returncode in (0, 1), done.stdout + done.stderr
        assert "could not run" not in done.stdout and "GraderFault" not in done.stdout, done.stdout
        assert "task 1" in done.stdout, done.stdout
    finally:
        grader(edition, "services", "down")


def test_released_generators_cannot_produce_the_sealed_hidden_data(made: tuple[Path, Path]) -> None:
    edition, bundle = made
    secret = bundles.read(bundle).keys.secret
    released = datasets.load("shop", edition)
    sealed = datasets.load("shop", edition, secret)
    assert released.postgres_sql("public") == datasets.load("shop", ROOT).postgres_sql("public") == \
        sealed.postgres_sql("public")  # the public variant is exactly what it was
    hidden = sealed.postgres_sql("hidden")
    assert hidden not in {released.postgres_sql(v) for v in ("public", "hidden")}
    assert hidden != datasets.load("shop", ROOT, "another secret").postgres_sql("hidden")
    assert datasets.fingerprint("shop", edition, secret) != datasets.fingerprint("shop", edition)


def test_a_whole_course_release_leaves_out_by_name_what_cannot_be_recorded_here(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Recording a reference needs its real servers: without one, the lab is left out, named, not a crash."""
    from grader import labs
    from grader.release import releasable
    from grader.services.session import ServicePool

    monkeypatch.setenv("GRADER_MONGODB_BACKEND", "local")
    monkeypatch.setenv("GRADER_MONGOD", str(ROOT / "no-such-mongod"))
    monkeypatch.delenv("GRADER_MONGODB_URL", raising=False)
    with ServicePool() as pool:
        kept, notes = releasable([labs.load("mongo-crud-query", ROOT)], pool)
    assert kept == []
    assert len(notes) == 1 and notes[0].startswith("mongo-crud-query left out of the edition"), notes


def test_a_reference_is_never_recorded_on_the_mongodb_emulator(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    """The emulator's answers are not MongoDB's: a whole-course release leaves the lab out, named, and
    naming it is refused with the fix, before anything is written."""
    from grader import labs
    from grader.errors import UsageError
    from grader.release import releasable, release
    from grader.services.session import ServicePool

    monkeypatch.setenv("GRADER_MONGODB_BACKEND", "emulated")
    monkeypatch.delenv("GRADER_MONGODB_URL", raising=False)
    lab = labs.load("mongo-crud-query", ROOT)
    with ServicePool() as pool:
        kept, notes = releasable([lab], pool)
        assert kept == [] and "emulator" in notes[0], notes
        with pytest.raises(UsageError, match="emulator"):
            release(ROOT, tmp_path / "edition", [lab], pool, None)
    assert not (tmp_path / "edition").exists()
