"""Writing what a batch (or a merge of shards) produced: every file comes from the report alone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from grader.batch import feedback, gradebook, html_report
from grader.batch.model import BatchReport
from grader.batch.roster import safe_name


@dataclass(frozen=True)
class Targets:
    gradebook: Path | None = None
    json: Path | None = None
    feedback: Path | None = None  # a folder: one file per student
    items: Path | None = None
    similar: Path | None = None
    html: Path | None = None

    @staticmethod
    def under(folder: Path) -> Targets:
        return Targets(folder / "gradebook.csv", folder / "report.json", folder / "feedback",
                       folder / "items.csv", folder / "similar.csv", folder / "report.html")

    def any(self) -> bool:
        return any(vars(self).values())


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write(report: BatchReport, targets: Targets) -> list[Path]:
    written = []
    if targets.gradebook:
        _write(targets.gradebook, gradebook.gradebook(report))
        written.append(targets.gradebook)
    if targets.json:
        _write(targets.json, json.dumps(report.model_dump(mode="json"), indent=1) + "\n")
        written.append(targets.json)
    if targets.feedback:
        for student in report.students:
            _write(targets.feedback / f"{safe_name(student)}.txt", feedback.student_text(report, student))
        written.append(targets.feedback)
    if targets.items:
        _write(targets.items, gradebook.items(report))
        written.append(targets.items)
    if targets.similar:
        _write(targets.similar, gradebook.similar(report))
        written.append(targets.similar)
    if targets.html:
        _write(targets.html, html_report.render(report))
        written.append(targets.html)
    return written


def read(path: Path) -> BatchReport:
    return BatchReport.model_validate_json(path.read_text(encoding="utf-8"))
