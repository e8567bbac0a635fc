"""Results cache: a lab's result is reused when nothing it depends on changed.

Key: the submission files' hash, the lab's version (every file of the lab in the course — checks,
lab.yaml, reference, hidden checks from the bundle —, its dataset's files and the bundle's secret,
which seeds hidden data) and the grader's version (its package version and the hash of its source).
Verdicts are the same on every run, so a hit is the grade a new run would give. Results with a
grader error are never stored: they are graded again next time.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from grader import __version__
from grader.course_source import Course
from grader.labs import Lab
from grader.results import LabResult

_SKIP = {"__pycache__", ".grader"}


def _tree_digest(digest: hashlib._Hash, folder: Path, base: Path) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if _SKIP & set(path.relative_to(base).parts) or not path.is_file():
            continue
        digest.update(path.relative_to(base).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def lab_version(lab: Lab, course: Course) -> str:
    digest = hashlib.sha256()
    labs = course.root / "labs"
    _tree_digest(digest, lab.path, labs)
    if lab.spec.dataset:
        _tree_digest(digest, labs / "datasets" / lab.spec.dataset, labs)
    digest.update(b"secret\0" + hashlib.sha256((course.secret or "").encode()).digest())
    return digest.hexdigest()


@functools.cache
def grader_version() -> str:
    digest = hashlib.sha256(__version__.encode())
    _tree_digest(digest, Path(__file__).resolve().parent.parent, Path(__file__).resolve().parent.parent)
    return f"{__version__}+{digest.hexdigest()[:16]}"


def key(submission_hash: str, lab_version_digest: str) -> str:
    return hashlib.sha256(f"{submission_hash}|{lab_version_digest}|{grader_version()}".encode()).hexdigest()


class ResultCache:
    """One JSON file per key under `folder`; None as folder: no cache."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def _path(self, cache_key: str) -> Path:
        assert self.folder is not None
        return self.folder / cache_key[:2] / f"{cache_key}.json"

    def get(self, cache_key: str) -> LabResult | None:
        if self.folder is None:
            return None
        path = self._path(cache_key)
        try:
            return LabResult.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # absent or damaged: grade again

    def put(self, cache_key: str, result: LabResult) -> None:
        if self.folder is None or result.status == "error":
            return
        path = self._path(cache_key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(result.model_dump(mode="json")), encoding="utf-8")
        partial.replace(path)
