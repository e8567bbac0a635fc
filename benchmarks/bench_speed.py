"""The speed targets, measured side by side in one run: `make bench` (writes benchmarks/RESULTS.md).

    .venv/bin/python benchmarks/bench_speed.py [--runs 5] [--baseline REF] [--no-all] [--no-batch] [--output FILE]

Every figure is the wall time of the real command as a subprocess, a median over interleaved runs
(mode A, mode B, mode A, … so that the machine's changing load falls on every mode alike), printed
beside the others as ratios, with the load average before and after. Modes:
- warm: after `grader services up` (local servers + the warm grader);
- cold: nothing running, local backend: the command starts and stops its own servers;
- warm, no warm grader (GRADER_WARM=0): warm servers, but a new `grader` process imports everything;
- container per lab: cold on the docker backend (testcontainers, the common way) when an engine answers;
- baseline: the same command from the code at REF (default: the last commit before the speed work),
  warm servers, run from a `git worktree` of REF with this interpreter.
Peak RSS of a whole-course run is the largest sum of resident memory over the command's whole process
tree (the grader, its pytest children, learner workers and apps; not the warm servers, which run
beside it), sampled every 50 ms, and beside it the same sum of PSS (shared pages split); that run does
not use the warm grader, so the grading is in the tree.
Where the whole course goes: the CPU time the machine was busy during that run (/proc/stat: every
process, the servers included) against its wall time, the run again with two labs per core (their
timer waits overlap), and what the memory peak was made of (PSS by owner and program).
`grader batch`: lab-grades per second over a generated class (generated_class.py), warm, and what
one warm lab-grade costs: the machine's CPU seconds and the PostgreSQL server's share.
A benchmark, not a test: it asserts only that every command graded (exit 0 or 1).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generated_class import LABS, generate
from where_time_goes import profile

from grader.parallel import default_jobs

ROOT = Path(__file__).resolve().parent.parent
GRADER = [str(Path(sys.executable).with_name("grader"))]
BASELINE_REF = "f96796c"  # the course as it was before the speed work (issue 12)
TARGETS = {  # figure -> (target seconds or MB, what it is)
    "warm sql": (0.5, "warm `grader check sql-joins --solution`"),
    "warm redis": (0.7, "warm `grader check redis-data-structures --solution`"),
    "cold sql": (2.0, "cold `grader check sql-joins --solution` (no services running, local backend)"),
    "help": (0.15, "`grader --help`"),
    "list": (0.15, "`grader list`"),
    "all": (20.0, "`grader check --all --solution` (every lab in the course), warm"),
    "rss": (500.0, "peak RSS of the whole-course run (MB, the command's process tree, warm servers apart)"),
}

FOLDERS: list[Path] = []


def state_folder(labs: Path) -> Path:
    """A GRADER_ROOT of its own (a link to labs/), so nobody's warm services are used or disturbed."""
    folder = Path(tempfile.mkdtemp(prefix="grader-bench-"))
    (folder / "labs").symlink_to(labs)
    FOLDERS.append(folder)
    return folder


def environment(state: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not (k.startswith("GRADER_") and k.endswith(("_URL", "_BACKEND")))}
    return {**env, "GRADER_ROOT": str(state), "GRADER_BACKEND": "local", "TESTCONTAINERS_RYUK_DISABLED": "true",
            **extra}


@dataclass
class Peak:
    """The largest memory sum seen over a command's process tree, and what made it up at that moment."""

    rss_mb: float = 0.0
    pss_mb: float = 0.0
    parts: dict[str, tuple[int, float]] = field(default_factory=dict)  # kind -> (processes, PSS MB)


def run(command: list[str], env: dict[str, str], cwd: Path = ROOT, sample: bool = False,
        graded: tuple[int, ...] = (0, 1), output: list[bytes] | None = None,
        peak: Peak | None = None) -> tuple[float, float]:
    """Wall seconds, and the peak RSS of the whole tree in MB when `sample` is set (the peak's PSS and
    make-up go in `peak`); `output` receives stdout."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    found = peak if peak is not None else Peak()
    sampler = threading.Thread(target=_sample, args=(process, found), daemon=True) if sample else None
    if sampler:
        sampler.start()
    out, err = process.communicate()
    elapsed = time.perf_counter() - started
    if sampler:
        sampler.join()
    if output is not None:
        output.append(out)
    if process.returncode not in graded:
        sys.exit(f"`{' '.join(command)}` exited {process.returncode}:\n{err.decode()[-3000:]}\n{out.decode()[-2000:]}")
    return elapsed, found.rss_mb


def _sample(process: subprocess.Popen[bytes], peak: Peak) -> None:
    while process.poll() is None:
        processes = [_process_memory(pid) for pid in _tree(process.pid)]
        rss = sum(p[1] for p in processes) / 1024
        pss = sum(p[2] for p in processes) / 1024
        peak.rss_mb = max(peak.rss_mb, rss)
        if pss > peak.pss_mb:
            peak.pss_mb = pss
            parts: dict[str, tuple[int, float]] = {}
            for kind, _, proportional in processes:
                count, mb = parts.get(kind, (0, 0.0))
                parts[kind] = (count + 1, mb + proportional / 1024)
            peak.parts = parts
        time.sleep(0.05)


def _tree(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return tree


def _process_memory(pid: int) -> tuple[str, int, int]:
    """(kind, RSS kB, PSS kB). RSS counts a page shared by forked processes (the pytest children share
    what their parent imported) once per process; PSS splits it between them. The kind is whose the
    process is (learner code runs under other uids when the grader is root) and its program name."""
    try:
        owner = "grader" if Path(f"/proc/{pid}").stat().st_uid == os.getuid() else "learner"
        name = Path(f"/proc/{pid}/comm").read_text().strip()
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
                      if ":" in line)
        return f"{owner} {name}", int(fields.get("Rss", "0 kB").split()[0]), int(fields.get("Pss", "0 kB").split()[0])
    except (OSError, ValueError):
        return "gone", 0, 0


def cpu_busy_seconds() -> float:
    """CPU time the whole machine spent busy since boot (every core, every process: servers included)."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root: int) -> float:
    """CPU time of a process tree: each process's own, and that of the children it has reaped (the
    PostgreSQL server's ended backends)."""
    total = 0
    for pid in _tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def grade_cost(command: list[str], env: dict[str, str], runs: int = 10) -> tuple[float, float, float]:
    """Per run of a warm check: wall seconds, the machine's busy CPU seconds, and the warm PostgreSQL
    server's share of them (its whole process tree, from the pid in the state folder)."""
    server = int(json.loads((Path(env["GRADER_ROOT"]) / ".grader" / "services" / "postgres.json").read_text())["pid"])
    machine, postgres, started = cpu_busy_seconds(), tree_cpu_seconds(server), time.perf_counter()
    for _ in range(runs):
        run(command, env)
    return ((time.perf_counter() - started) / runs, (cpu_busy_seconds() - machine) / runs,
            (tree_cpu_seconds(server) - postgres) / runs)


def peak_make_up(peak: Peak) -> str:
    parts = sorted(peak.parts.items(), key=lambda item: -item[1][1])
    return ", ".join(f"{kind} ×{count} {mb:.0f} MB" for kind, (count, mb) in parts if mb >= 1)


def interpreter_rss_mb(imports: str) -> float:
    """RSS of one learner interpreter as the grader starts it (the worker module) with `imports` done: what
    one more of them costs (its PSS depends on how many others share its pages at that moment)."""
    code = (f"import grader.worker.__main__, {imports}\n"
            "print(open('/proc/self/smaps_rollup').read().split('Rss:')[1].split()[0])")
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return int(done.stdout.strip()) / 1024


def generated_class(students: int) -> Path:
    """A scratch folder holding `class` (students x the batch labs, generated_class.py) and `warm-up` (one)."""
    scratch = Path(tempfile.mkdtemp(prefix="grader-bench-batch-"))
    FOLDERS.append(scratch)
    scratch.chmod(0o755)  # learner accounts read the submissions
    generate(scratch / "class", students)
    generate(scratch / "warm-up", 1)
    return scratch


def class_throughput(env: dict[str, str], scratch: Path, students: int,
                     jobs: tuple[str, ...] = ()) -> tuple[float, float]:
    """`grader batch` over the generated class in `scratch`, cache off: lab-grades per second and the peak
    RSS of its process tree. The one-student warm-up batch, uncounted, builds the template databases."""
    batch = [*GRADER, "batch", "--labs", ",".join(LABS), "--no-cache", *jobs]
    run([*batch, str(scratch / "warm-up"), "--out", str(scratch / "warm-up.out")], env)
    seconds, rss = run([*batch, str(scratch / "class"), "--out", str(scratch / f"class{''.join(jobs)}.out")], env,
                       sample=True)
    return students * len(LABS) / seconds, rss


def whole_course_env(warm: dict[str, str]) -> dict[str, str]:
    """The whole-course run grades the MongoDB labs on the labelled emulator where no real server can be
    had (no mongod, no GRADER_MONGODB_URL): timed like the rest, their real-server checks counted apart."""
    if shutil.which("mongod") or os.environ.get("GRADER_MONGODB_URL"):  # the modes run on the local backend
        return warm
    return {**warm, "GRADER_MONGODB_BACKEND": "emulated"}


def whole_course_coverage(printed: bytes) -> str:
    """What the whole-course run graded: labs, checks passed, and checks that could not run here (by lab)."""
    report = json.loads(printed)
    statuses = Counter(test["status"] for lab in report["labs"] for test in lab["tests"])
    not_run = {lab["id"]: sum(t["status"] == "error" for t in lab["tests"]) for lab in report["labs"]}
    named = ", ".join(f"{lab} {count}" for lab, count in not_run.items() if count)
    text = f"{len(report['labs'])} labs, {statuses['pass']} checks passed, {statuses['fail']} failed"
    return text + (f", {statuses['error']} could not run on this machine ({named})" if named else "")


def slowest_labs(printed: bytes, count: int = 10) -> str:
    labs = sorted(json.loads(printed)["labs"], key=lambda lab: -float(lab["duration"]))
    return ", ".join(f"{lab['id']} {float(lab['duration']):.0f}" for lab in labs[:count])


def docker_answers() -> bool:
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def baseline_checkout(ref: str) -> Path | None:
    folder = Path(tempfile.mkdtemp(prefix="grader-bench-baseline-"))
    FOLDERS.append(folder)
    result = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder / "tree"), ref],
                            capture_output=True, text=True)
    if result.returncode != 0:
        print(f"baseline {ref}: not available ({result.stderr.strip()}); baseline figures skipped")
        return None
    return folder / "tree"


def interleaved(modes: dict[str, Callable[[], float]], runs: int) -> dict[str, list[float]]:
    for measure in modes.values():
        measure()  # one uncounted run each: file cache, bytecode, templates
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    for _ in range(runs):
        for mode, measure in modes.items():
            times[mode].append(measure())
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", default=BASELINE_REF, help="git ref of the code to compare with")
    parser.add_argument("--no-all", action="store_true", help="skip the whole-course run")
    parser.add_argument("--no-batch", action="store_true", help="skip the `grader batch` throughput")
    parser.add_argument("--students", type=int, default=40, help="the generated class's size for `grader batch`")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    options = parser.parse_args()
    load_before = os.getloadavg()
    lines: list[str] = []

    warm = environment(state_folder(ROOT / "labs"))
    cold = environment(state_folder(ROOT / "labs"))
    baseline_tree = baseline_checkout(options.baseline)
    baseline = (environment(state_folder(baseline_tree / "labs"), PYTHONPATH=str(baseline_tree))
                if baseline_tree else None)
    old_grader = [sys.executable, "-m", "grader.cli"]

    run([*GRADER, "services", "up"], warm)
    if baseline is not None:
        run([*old_grader, "services", "up"], baseline, cwd=baseline_tree or ROOT)
    try:
        sql = ["check", "sql-joins", "--solution", "--format", "json"]
        redis = ["check", "redis-data-structures", "--solution", "--format", "json"]
        modes: dict[str, Callable[[], float]] = {
            "warm sql": lambda: run([*GRADER, *sql], warm)[0],
            "warm sql, no warm grader": lambda: run([*GRADER, *sql], {**warm, "GRADER_WARM": "0"})[0],
            "warm redis": lambda: run([*GRADER, *redis], warm)[0],
            "cold sql": lambda: run([*GRADER, *sql], cold)[0],
            "help": lambda: run([*GRADER, "--help"], cold)[0],
            "list": lambda: run([*GRADER, "list"], cold)[0],
            "warm list": lambda: run([*GRADER, "list"], warm)[0],
        }
        if baseline is not None:
            modes["baseline warm sql"] = lambda: run([*old_grader, *sql], baseline, cwd=baseline_tree or ROOT)[0]
            modes["baseline help"] = lambda: run([*old_grader, "--help"], baseline, cwd=baseline_tree or ROOT)[0]
        if docker_answers():
            docker = environment(state_folder(ROOT / "labs"), GRADER_BACKEND="docker")
            docker.setdefault("GRADER_POSTGRES_IMAGE", "backend-labs/postgres:15-local")
            modes["container per lab sql"] = lambda: run([*GRADER, *sql], docker)[0]
        times = interleaved(modes, options.runs)
        medians = {mode: statistics.median(values) for mode, values in times.items()}
        profiles = {mode: profile([*GRADER, *command], warm, Path(warm["GRADER_ROOT"]), ROOT)
                    for mode, command in (("warm sql", sql), ("warm redis", redis))
                    if medians[mode] >= TARGETS[mode][0]}
        whole: tuple[float, float] | None = None
        whole_peak = Peak()
        whole_cpu = 0.0
        coverage = ""
        doubled: tuple[float, str] | None = None
        baseline_whole: float | None = None
        baseline_labs = 0
        if not options.no_all:
            printed: list[bytes] = []
            # exit 2 is allowed here: checks this machine cannot run (no real MongoDB) are grader errors,
            # counted and named in the results instead of ending the benchmark
            # GRADER_WARM=0: the grading runs in this command's own process tree, where its memory is sampled
            everything = [*GRADER, "check", "--all", "--solution", "--format", "json"]
            busy = cpu_busy_seconds()
            whole = run(everything, {**whole_course_env(warm), "GRADER_WARM": "0"}, sample=True, graded=(0, 1, 2),
                        output=printed, peak=whole_peak)
            whole_cpu = cpu_busy_seconds() - busy
            coverage = whole_course_coverage(printed[0])
            more: list[bytes] = []
            jobs = 2 * default_jobs()
            doubled = (run([*everything, "-j", str(jobs)], {**whole_course_env(warm), "GRADER_WARM": "0"},
                           graded=(0, 1, 2), output=more)[0],
                       whole_course_coverage(more[0]))
            if baseline is not None:
                baseline_printed: list[bytes] = []
                baseline_whole = run([*old_grader, "check", "--all", "--solution", "--format", "json"],
                                     whole_course_env(baseline), cwd=baseline_tree or ROOT, graded=(0, 1, 2),
                                     output=baseline_printed)[0]
                baseline_labs = len(json.loads(baseline_printed[0])["labs"])
        batch = None if options.no_batch else class_throughput(warm, generated_class(options.students),
                                                               options.students)
        wrong_case = sorted((ROOT / "labs" / "sql-joins" / ".meta" / "wrong").iterdir())[0]
        cost = grade_cost([*GRADER, "check", "sql-joins", "--submission", str(wrong_case), "--format", "json"], warm)
    finally:
        run([*GRADER, "services", "down"], warm)
        if baseline is not None:
            run([*old_grader, "services", "down"], baseline, cwd=baseline_tree or ROOT)
        if baseline_tree is not None:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(baseline_tree)],
                           capture_output=True)

    figures = {k: medians[k] for k in ("warm sql", "warm redis", "cold sql", "help", "list")}
    if whole is not None:
        figures["all"], figures["rss"] = whole
    load_after = os.getloadavg()
    lines.append("# Benchmark results (`make bench`)")
    lines.append("")
    lines.append(f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    lines.append(f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
                 f"{platform.system()} {platform.release()}")
    lines.append(f"- load average (1/5/15 min): before {_load(load_before)}, after {_load(load_after)}")
    lines.append(f"- runs: {options.runs} per mode, interleaved, after one uncounted run each; "
                 f"baseline: {options.baseline if baseline is not None else 'not available'}")
    lines.append("")
    lines.append("| figure | median | min | max | target | met |")
    lines.append("| --- | ---: | ---: | ---: | ---: | :---: |")
    for mode, values in times.items():
        target = TARGETS.get(mode)
        met = "" if target is None else ("yes" if medians[mode] < target[0] else "no")
        lines.append(f"| {mode} | {medians[mode]:.3f} s | {min(values):.3f} s | {max(values):.3f} s | "
                     f"{'' if target is None else f'< {target[0]:g} s'} | {met} |")
    if whole is not None:
        lines.append(f"| all labs, warm (1 run) | {whole[0]:.1f} s | | | < 20 s | {'yes' if whole[0] < 20 else 'no'} |")
        rss_met = "yes" if whole[1] < 500 else "no"
        lines.append(f"| peak RSS, all labs (process tree, servers apart) | {whole[1]:.0f} MB | | | < 500 MB "
                     f"| {rss_met} |")
        lines.append(f"| peak PSS, all labs (the same tree, shared pages split) | {whole_peak.pss_mb:.0f} MB | | | | |")
    if doubled is not None:
        lines.append(f"| all labs, -j {2 * default_jobs()} (two labs per core), warm (1 run) | {doubled[0]:.1f} s "
                     "| | | | |")
    if baseline_whole is not None:
        lines.append(f"| baseline all labs ({baseline_labs} then), warm (1 run) | {baseline_whole:.1f} s | | | | |")
    if batch is not None:
        rate, batch_rss = batch
        lines.append(f"| `grader batch`, warm ({options.students} students × 3 SQL labs, cache off) | "
                     f"{rate:.2f} lab-grades/s | | | ≥ 10 /s | {'yes' if rate >= 10 else 'no'} |")
        lines.append(f"| peak RSS of that batch | {batch_rss:.0f} MB | | | | |")
    if whole is not None and doubled is not None:
        cores = default_jobs()
        labs = json.loads(printed[0])["labs"]
        lab_seconds = sum(float(lab["duration"]) for lab in labs)
        lines.append("")
        lines.append(f"Whole-course run: {coverage}. The same at -j {2 * cores}: {doubled[1]}.")
        lines.append("")
        lines.append(f"Its slowest labs (wall seconds; {cores} graded at a time): {slowest_labs(printed[0])}.")
        lines.append("")
        lines.append(f"## Where the time goes: the whole course ({TARGETS['all'][1]})")
        lines.append("")
        lines.append(f"- the labs' own wall times add up to {lab_seconds:.0f} s: {cores} at a time, at best "
                     f"{lab_seconds / cores:.0f} s; the run took {whole[0]:.0f} s")
        lines.append(f"- the machine was busy {whole_cpu:.0f} CPU-seconds during the run (every process, the servers "
                     f"included): {100 * whole_cpu / (whole[0] * cores):.0f} % of its {cores} cores; "
                     f"the work alone needs at least {whole_cpu / cores:.0f} s on {cores} cores, "
                     f"{whole_cpu / 8:.0f} s on 8")
        lines.append(f"- the rest, {whole[0] - whole_cpu / cores:.0f} s of wall time, is labs waiting on their own "
                     f"timers (pool timeouts, lockout windows, TTLs) with their core idle: at -j {2 * cores} "
                     f"those waits overlap and the run took {doubled[0]:.0f} s")
        lines.append("")
        lines.append(f"## What the peak memory is ({TARGETS['rss'][1]})")
        lines.append("")
        lines.append(f"At the peak ({whole_peak.pss_mb:.0f} MB PSS), by owner and program, PSS: "
                     f"{peak_make_up(whole_peak)}.")
        lines.append("")
        lines.append(f"One learner interpreter (the worker, with the client library its lab injects) is "
                     f"{interpreter_rss_mb('redis'):.0f} MB RSS with redis-py, {interpreter_rss_mb('psycopg'):.0f} "
                     f"MB with psycopg, {interpreter_rss_mb('redis, psycopg'):.0f} MB with both: a contended Redis "
                     "lab races a dozen of them at once (one variant at a time), and two such labs graded side by "
                     "side hold two dozen. Below that only interpreters that share their pages would go (forked "
                     "from one that imported the libraries, each moved into a sandbox of its own): not built.")
    lines.append("")
    lines.append("## What one lab-grade costs (the batch target)")
    lines.append("")
    lines.append(f"A warm `grader check sql-joins --submission .meta/wrong/{wrong_case.name}`, 10 runs: "
                 f"{cost[0]:.2f} s wall, {cost[1]:.2f} CPU-seconds of the machine, {cost[2]:.2f} of them in the "
                 f"PostgreSQL server's processes. At that cost {default_jobs()} cores grade at most "
                 f"{default_jobs() / cost[1]:.1f} lab-grades/s.")
    for mode, found in profiles.items():
        lines += ["", f"## Where the time goes: {mode} ({TARGETS[mode][1]})", "", *found]
    lines.append("")
    lines.append("Ratios (same run):")
    lines.append("")
    for slower, faster in [("warm sql, no warm grader", "warm sql"), ("cold sql", "warm sql"),
                           ("baseline warm sql", "warm sql"), ("container per lab sql", "warm sql"),
                           ("container per lab sql", "cold sql"), ("baseline help", "help"), ("list", "warm list")]:
        if slower in medians and faster in medians:
            lines.append(f"- {slower} / {faster} = {medians[slower] / medians[faster]:.2f}")
    if whole is not None and baseline_whole is not None:
        lines.append(f"- baseline all labs / all labs = {baseline_whole / whole[0]:.2f}")
    text = "\n".join(lines) + "\n"
    print(text)
    options.output.write_text(text)


def _load(values: tuple[float, float, float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    try:
        main()
    finally:
        for folder in FOLDERS:
            shutil.rmtree(folder, ignore_errors=True)
