"""Lines a person reads about a mutation sweep (the CLI prints them)."""

from __future__ import annotations

from rich.markup import escape

from grader.mutants.sweep import Graded, Report


def mutant_line(graded: Graded, equivalent: dict[str, str]) -> str:
    mark = {True: "[green]killed[/]", None: "[yellow]n/a[/]"}.get(graded.killed, "[red]SURVIVED[/]")
    if graded.killed is False and graded.mutant.id in equivalent:
        mark = "[cyan]equivalent[/]"
    result = graded.verdict.result
    return f"  {mark:24} {escape(graded.mutant.id):44} {result.score:g}/{result.max_score:g}  " \
           f"{escape(graded.mutant.where)}"


def summary(report: Report) -> list[str]:
    sampled = f" (a stable sample of {len(report.graded)} of {report.generated})" \
        if len(report.graded) < report.generated else ""
    lines = [f"mutation score {report.lab}: {report.score}{sampled}; "
             f"{len(report.survivors)} unexplained survivor(s), {len(report.open_holes)} known hole(s) still open, "
             f"{len(report.undecided)} undecided"]
    for graded in report.open_holes:
        lines.append(f"    known hole {escape(graded.mutant.id)}: {escape(graded.mutant.where)} — still survives "
                     "(.meta/known-survivors.yaml): close it with data or checks, or show it equivalent")
    for graded in report.survivors:
        lines.append(f"    survivor {escape(graded.mutant.id)}: {escape(graded.mutant.where)} — a hole in the data or "
                     f"checks, or equivalent: then record it in .meta/equivalent-mutants.yaml with a reason")
    return lines
