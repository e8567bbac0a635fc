"""`grader batch` throughput, measured beside today's loop of `grader check --submission`, in one run.

    .venv/bin/python benchmarks/bench_batch.py [--students 40] [--loop-sample 6]

A class of generated submissions over three SQL labs (generated_class.py: every submission distinct),
graded with the cache off (--no-cache). Services are warm (`grader services up`,
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
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_speed import FOLDERS, GRADER, ROOT, class_throughput, environment, generated_class, run, state_folder
from generated_class import LABS


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--loop-sample", type=int, default=6, help="students graded by the check loop")
    args = parser.parse_args()
    scratch = generated_class(args.students)  # graded by both batches and, a sample of it, by the loop
    state = state_folder(ROOT / "labs")
    env = environment(state)
    grades = args.students * len(LABS)
    print(f"{args.students} students x {len(LABS)} labs = {grades} lab-grades; cores: {os.cpu_count()}; {load()}")
    run([*GRADER, "services", "up", "postgres"], env)
    try:
        figures = {}
        for name, jobs in (("batch (default -j)", ()), ("batch -j 1", ("-j", "1"))):
            rate, rss = class_throughput(env, scratch, args.students, jobs)
            figures[name] = 1 / rate
            print(f"{name:22} {grades / rate:7.1f} s  {rate:6.2f} lab-grades/s  peak RSS {rss:6.0f} MB  ({load()})")
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
        for folder in FOLDERS:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
