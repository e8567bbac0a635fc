"""The batch's closing lines on the terminal: per lab, how it went; where the outputs are."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from grader.batch.model import BatchReport


def print_summary(report: BatchReport, written: list[Path], console: Console) -> None:
    table = Table("lab", "students", "passed", "failed", "grader errors", "missing", "mean points")
    for lab in report.graded_labs() + (["-"] if any(e.lab == "-" for e in report.entries) else []):
        rows = [e for e in report.entries if e.lab == lab]
        count = {status: sum(e.status == status for e in rows) for status in ("pass", "fail", "error", "missing")}
        graded = [e for e in rows if e.status in ("pass", "fail")]
        mean = sum(e.points for e in graded) / len(graded) if graded else 0.0
        maximum = max((e.max_points for e in rows), default=0.0)
        table.add_row(lab, str(len(rows)), str(count["pass"]), str(count["fail"]), str(count["error"]),
                      str(count["missing"]), f"{mean:.1f}/{maximum:g}")
    console.print(table)
    console.print(f"{report.graded} submissions graded, {report.cached} from the cache"
                  + (f" (shard {report.shard})" if report.shard else ""))
    if report.similar:
        console.print(f"{len(report.similar)} pair(s) of similar submissions to look at (never a verdict)")
    for path in written:
        console.print(f"wrote {escape(str(path))}")
