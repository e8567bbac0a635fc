"""A class of generated SQL submissions for `grader batch` benchmarks (bench_batch.py, bench_speed.py).

Students take turns being the reference, each wrong case, and the starter, and every file carries a
comment with the student's name, so no two submissions are the same files (nothing is graded once for
several students, and the batch cache cannot help).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABS = ["sql-select-filter", "sql-joins", "sql-aggregates"]


def kinds(lab: Path) -> list[Path | None]:
    """What students hand in, in turn: the reference (None), each wrong case, the starter (the lab)."""
    wrong = sorted(p for p in (lab / ".meta" / "wrong").iterdir() if p.is_dir())
    return [None, *wrong, lab]


def generate(target: Path, students: int) -> None:
    for lab_id in LABS:
        lab = ROOT / "labs" / lab_id
        choices = kinds(lab)
        for number in range(students):
            student = target / f"student{number:02}" / "labs" / lab_id
            solution = lab / ".meta" / "solution"
            for path in sorted(solution.rglob("*.sql")):
                rel = path.relative_to(solution)
                kind = choices[number % len(choices)]
                source = path if kind is None or not (kind / rel).is_file() else kind / rel
                (student / rel).parent.mkdir(parents=True, exist_ok=True)
                (student / rel).write_text(f"-- student{number:02}\n" + source.read_text())
