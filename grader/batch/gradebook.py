"""The gradebook CSV: one row per student and lab, the raw mark beside the one after the late policy;
the item analysis and the similar pairs as CSV for the instructor."""

from __future__ import annotations

import csv
import io

from grader.batch.model import BatchReport

COLUMNS = ["student", "lab", "status", "raw_points", "max_points", "late_days", "deduction_percent", "points",
           "commit", "commit_time", "not_graded_commits", "reason"]


def _number(value: float) -> str:
    return f"{value:g}"


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def gradebook(report: BatchReport) -> str:
    rows = [[e.student, e.lab, e.status, _number(e.raw_points), _number(e.max_points), str(e.late_days),
             _number(e.deduction_percent), _number(e.points), e.commit.sha[:12] if e.commit else "",
             e.commit.time if e.commit else "", " ".join(c.sha[:12] for c in e.not_graded_commits), e.reason]
            for e in report.entries]
    return _csv(COLUMNS, rows)


def items(report: BatchReport) -> str:
    rows = [[i.lab, str(i.task or ""), i.check, i.visibility, str(i.graded), str(i.failed), str(i.errors),
             f"{i.failed_share:.2f}", i.common_feedback, str(i.common_count)] for i in report.items]
    return _csv(["lab", "task", "check", "visibility", "graded", "failed", "errors", "failed_share",
                 "most_common_feedback", "feedback_count"], rows)


def similar(report: BatchReport) -> str:
    rows = [[p.lab, p.students[0], p.students[1], p.kind, f"{p.similarity:.3f}", p.note] for p in report.similar]
    return _csv(["lab", "student", "other_student", "kind", "similarity", "note"], rows)
