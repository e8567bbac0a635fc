"""Which reference answers a lab run uses: the live reference, a release's verified record, or a recorder.

The runner asks this module once per lab; the pytest child gets the mode and a private copy of
the answers (grader.reference_record). A record that does not verify is tampering: the lab is not
graded (status `error`, no points), never graded against the edited answers.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from grader import reference_record
from grader.course_source import Course
from grader.labs import Lab
from grader.reference_record import Mode


@dataclass(frozen=True)
class Answers:
    mode: Mode
    path: str | None = None
    problem: str = ""  # why the lab cannot be graded (a missing or tampered record)


def prepare(lab: Lab, course: Course | None, scratch: Path, record_to: Path | None) -> Answers:
    if record_to is not None:
        return Answers("record", str(scratch / "answers.json"))
    if lab.solution_dir.is_dir() or course is None or course.record_key is None:
        return Answers("live")
    record = lab.path / reference_record.RECORD_FILE
    if not record.is_file():
        return Answers("live", problem=f"this edition has no {reference_record.RECORD_FILE} for {lab.id}: its "
                       "public checks have nothing to compare with; restore the file (git checkout it) or ask "
                       "for a fresh release")
    try:
        answers = reference_record.read(record, lab.id, course.record_key)
    except reference_record.Tampered as exc:
        return Answers("live", problem=f"tampering detected: {exc}. A record that does not verify is not "
                       f"graded; restore it (git checkout labs/{lab.id}/{reference_record.RECORD_FILE})")
    verified = scratch / "answers.json"
    verified.write_text(json.dumps(answers))
    verified.chmod(0o600)
    return Answers("replay", str(verified))


def finish(answers: Answers, record_to: Path | None) -> None:
    """After a recording run: hand the recorded answers to `grader release` (which signs them)."""
    if record_to is not None and answers.path and Path(answers.path).is_file():
        shutil.copyfile(answers.path, record_to)

