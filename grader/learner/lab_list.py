"""What `grader list` shows of each lab, kept in `.grader/` and reused while no course file changed.

Listing the course otherwise imports pydantic and validates every lab.yaml (about 0.2 s) to print
four fields per lab. The kept copy is used only when the stamps of every file validation would read
(course.yaml, the labs folder, each lab.yaml) and the grader's code, which defines what valid means
(the warm grader's own fingerprint),
are those it was written from; anything else is validated again, so a broken lab.yaml is reported
exactly as without the copy.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from grader.learner import store
from grader.paths import labs_dir, state_dir
from grader.warm_grader.protocol import code_fingerprint

VERSION = 1


@dataclass(frozen=True)
class ListedLab:
    id: str
    title: str
    track: str
    services: tuple[str, ...]


def listed_labs(root: Path | None = None) -> list[ListedLab]:
    """The labs in course order, from the kept copy when it is current, else validated and kept."""
    stamps = _stamps(root)  # taken before validating: a file changed meanwhile makes the copy stale
    kept = store.read(_path(root))
    if stamps is not None and kept.get("version") == VERSION and kept.get("stamps") == stamps:
        try:
            return [ListedLab(str(lab["id"]), str(lab["title"]), str(lab["track"]), tuple(lab["services"]))
                    for lab in kept["labs"]]
        except (KeyError, TypeError):
            pass  # a damaged copy: validate again
    from grader import labs as lab_index

    labs = [ListedLab(lab.id, lab.spec.title, lab.spec.track, tuple(lab.spec.services))
            for lab in lab_index.all_labs(root)]
    if stamps is not None:
        with contextlib.suppress(OSError):  # a read-only checkout lists the course all the same, validated each time
            store.write(_path(root), {"version": VERSION, "labs": [asdict(lab) for lab in labs], "stamps": stamps})
    return labs


def _path(root: Path | None) -> Path:
    return state_dir(root) / "lab-list.json"


def _stamps(root: Path | None) -> dict[str, object] | None:
    """Size, mtime and ctime of each file and folder that decides the list; None when one is unreadable.

    Every lab folder counts, not only the listed ones: a lab.yaml added to a folder the course does
    not list is an error validation must report.
    """
    folder = labs_dir(root)
    try:
        paths = [folder, folder / "course.yaml"]
        for entry in sorted(os.scandir(folder), key=lambda entry: entry.name):
            if entry.is_dir():
                paths += [Path(entry.path), Path(entry.path) / "lab.yaml"]
        stamps: dict[str, object] = {"grader code": code_fingerprint()}
        for path in paths:
            seen = os.stat(path) if path.name != "lab.yaml" or path.exists() else None
            stamps[str(path)] = [seen.st_size, seen.st_mtime_ns, seen.st_ctime_ns] if seen else []
    except OSError:
        return None
    return stamps
