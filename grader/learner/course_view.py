"""`grader progress` and the scores in `grader list`: the course as tracks × labs, from progress.json."""

from __future__ import annotations

from pathlib import Path

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from grader import labs as lab_index
from grader.learner.progress import Progress, load
from grader.spec import CourseSpec


def state(progress: Progress, course: CourseSpec, lab_id: str) -> str:
    entry = progress.of(lab_id)
    if entry.done:
        return "[green]✔ done[/]"
    missing = progress.missing_prerequisites(course, lab_id)
    if missing:
        return f"[dim]locked: needs {escape(', '.join(missing))}[/]"
    if entry.graded:
        return "[yellow]in progress[/]"
    return "unlocked"


def as_json(root: Path | None = None) -> dict[str, object]:
    course = lab_index.course(root)
    progress = load(root)
    return {"current": progress.current, "tracks": [
        {"id": track.id, "title": track.title, "labs": [
            {"id": lab_id, "best": progress.of(lab_id).best, "max": progress.of(lab_id).max,
             "best_at": progress.of(lab_id).best_at or None, "done": progress.of(lab_id).done,
             "unlocked": not progress.missing_prerequisites(course, lab_id)}
            for lab_id in track.labs]}
        for track in course.tracks]}


def view(root: Path | None = None) -> Group:
    course = lab_index.course(root)
    progress = load(root)
    parts: list[Table | Text] = []
    for track in course.tracks:
        done = sum(progress.of(lab_id).done for lab_id in track.labs)
        table = Table("lab", "best", "when", "state", title=f"{track.title}  ({done}/{len(track.labs)} done)",
                      title_justify="left", title_style="bold", show_edge=False)
        for lab_id in track.labs:
            entry = progress.of(lab_id)
            marker = " ←" if lab_id == progress.current else ""
            table.add_row(escape(lab_id) + marker, entry.score, entry.best_at.replace("T", " ")[:16] or "-",
                          state(progress, course, lab_id))
        parts.append(table)
        parts.append(Text(""))
    total = len(course.lab_ids())
    finished = sum(progress.of(lab_id).done for lab_id in course.lab_ids())
    parts.append(Text(f"{finished} of {total} labs done. ← marks the lab you are on."))
    return Group(*parts)
