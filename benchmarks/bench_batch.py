"""`grader batch` throughput, measured beside today's loop of `grader check --submission`, in one run.

    .venv/bin/python benchmarks/bench_batch.py [--students 40] [--loop-sample 6]

A class of generated submissions over three SQL labs (sql-select-filter, sql-joins, sql-aggregates):
students take turns being the reference, each wrong case, and the starter, and every file carries
a comment with the student's name, so no two submissions are the same files (nothing is graded once
for several students) and the cache is off (--no-cache). Services are warm (`grader services up`,
local servers, in a state folder of its own) and a first small batch builds the template databases.
Figures: lab-grades per second and the peak RSS of the whole process tree (servers excluded: they
were started before), for `grader batch` with the default -j and with -j 1; and the seconds per
lab-grade of a loop of `grader check LAB --submission DIR` over a sample of the same submissions.
The load average is printed before and after: on a shared machine it moves every figure.
A benchmark, not a test: it asserts only that every command graded.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_speed import GRADER, ROOT, environment, run, state_folder

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


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--loop-sample", type=int, default=6, help="students graded by the check loop")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="grader-bench-batch-"))
    scratch.chmod(0o755)
    generate(scratch / "class", args.students)
    generate(scratch / "warm-up", 1)
    state = state_folder(ROOT / "labs")
    env = environment(state)
    grades = args.students * len(LABS)
    labs = ",".join(LABS)
    print(f"{args.students} students x {len(LABS)} labs = {grades} lab-grades; cores: {os.cpu_count()}; {load()}")
    run([*GRADER, "services", "up", "postgres"], env)
    try:
        run([*GRADER, "batch", str(scratch / "warm-up"), "--labs", labs, "--no-cache", "--out",
             str(scratch / "o0")], env)
        figures = {}
        for name, jobs in (("batch (default -j)", []), ("batch -j 1", ["-j", "1"])):
            seconds, rss = run([*GRADER, "batch", str(scratch / "class"), "--labs", labs, "--no-cache", *jobs,
                                "--out", str(scratch / name.replace(" ", "_"))], env, sample=True)
            figures[name] = seconds / grades
            print(f"{name:22} {seconds:7.1f} s  {grades / seconds:6.2f} lab-grades/s  peak RSS {rss:6.0f} MB  "
                  f"({load()})")
        started = time.perf_counter()
        sample = [f"student{n:02}" for n in range(min(args.loop_sample, args.students))]
        for student in sample:
            for lab in LABS:
                run([*GRADER, "check", lab, "--submission", str(scratch / "class" / student / "labs" / lab)], env)
        loop = (time.perf_counter() - started) / (len(sample) * len(LABS))
        print(f"{'check loop':22} {loop:7.2f} s per lab-grade  {1 / loop:6.2f} lab-grades/s  "
              f"(a sample of {len(sample)} students; {load()})")
        for name, per_grade in figures.items():
            print(f"ratio {name} / loop: {loop / per_grade:.1f}x the loop's throughput")
    finally:
        run([*GRADER, "services", "down"], env)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
