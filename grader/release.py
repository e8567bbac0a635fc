"""`grader release OUT`: the student edition, the repository learners get.

It holds the grader, the course index, each lab without `.meta/` (README, lab.yaml, starter files,
public checks), the dataset generators (learners explore the public variant; the hidden variant is
sealed by the bundle's secret, which never ships), the PR workflow and a README for learners.
The reference does not ship: its answers on the public data do, recorded by grading the reference
with a recorder (grader.reference_record) and signed with the bundle's key (or a one-off key).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from grader import reference_record, signing
from grader.bundle import Bundle
from grader.course_source import RELEASE_FILE, Course
from grader.errors import ServiceUnavailable, UsageError
from grader.labs import Lab, course
from grader.runner import grade, submission_for
from grader.services.emulated_mongo import is_emulated
from grader.services.session import ServicePool

PROJECT_PARTS = ("grader", "pyproject.toml", "Makefile", "compose", "docker", "runtimes", "templates", ".gitignore")
WORKFLOW = Path("templates/github/grade.yml")
IGNORED = shutil.ignore_patterns("__pycache__", ".meta", "*.egg-info", ".grader", ".pytest_cache")


@dataclass
class Released:
    out: Path
    labs: list[str]
    notes: list[str] = field(default_factory=list)


def _course_index(root: Path, lab_ids: list[str]) -> str:
    """course.yaml reduced to the released labs (tracks and prerequisites that name others dropped)."""
    index = course(root)
    tracks = [{"id": t.id, "title": t.title, "labs": [lab for lab in t.labs if lab in lab_ids]} for t in index.tracks]
    prerequisites = {lab: [p for p in needs if p in lab_ids] for lab, needs in index.prerequisites.items()
                     if lab in lab_ids}
    document = {"title": index.title, "tracks": [t for t in tracks if t["labs"]],
                "prerequisites": {k: v for k, v in prerequisites.items() if v}}
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def _learner_readme(title: str, labs: list[Lab]) -> str:
    lines = [f"# {title}", "",
             "Hands-on labs graded on real database servers. One command sets everything up and shows the task:", "",
             "```sh", f"make lab LAB={labs[0].id if labs else '<lab id>'}", "```", "",
             "Edit the lab's files (listed under each lab), then grade them with `.venv/bin/grader check <lab>`.",
             "The public checks in `labs/<lab>/tests/` run on the sample data you can explore. They compare your",
             "results with what the course's reference solution produced on that data, recorded in",
             f"`labs/<lab>/{reference_record.RECORD_FILE}` and signed: an edited record is reported as",
             "tampering and nothing is graded.", "",
             "Your grade of record comes from your instructor, who also runs hidden checks on other data: an answer",
             "that only fits the sample data fails there. Open a pull request to get feedback in it; only the",
             "files each lab names as yours are graded, whatever else the pull request changes.", "",
             "| lab | title | your files |", "|---|---|---|"]
    lines += [f"| {lab.id} | {lab.spec.title} | {', '.join(lab.spec.submission)} |" for lab in labs]
    return "\n".join(lines) + "\n"


def _record(lab: Lab, pool: ServicePool, root: Path, folder: Path) -> tuple[dict[str, object], list[str]]:
    """Grade the reference on public data with the recorder on; the answers and any notes."""
    recorded = folder / f"{lab.id}.answers.json"
    result = grade(lab, pool, submission_for(lab, True, None), root, Course(root, f"the checkout {root}"),
                   record_to=recorded)
    if result.message or any(t.status == "fail" for t in result.tests) or not recorded.is_file():
        problems = [f"{t.name}: {t.message.splitlines()[0] if t.message else t.status}"
                    for t in result.tests if t.status != "pass"]
        raise UsageError(f"{lab.id}: the reference could not be recorded on the public data "
                         f"({result.message or '; '.join(problems[:3])})",
                         "fix the lab (grader dev check " + lab.id + "), make its services available, or leave it "
                         "out with --labs")
    notes = [f"{lab.id}: '{t.name}' could not run while recording ({t.message.splitlines()[0]}); if it asks the "
             "reference, it reports an error in the edition until released where it runs"
             for t in result.tests if t.status == "error"]
    answers: dict[str, object] = json.loads(recorded.read_text())
    return answers, notes


def releasable(labs: list[Lab], pool: ServicePool) -> tuple[list[Lab], list[str]]:
    """The labs whose services can be had here (a reference is recorded on real servers only), and a
    note for each lab left out; used when the instructor did not name the labs."""
    kept, notes = [], []
    for lab in labs:
        reason = unrecordable(lab, pool)
        if reason:
            notes.append(f"{lab.id} left out of the edition: its reference is recorded on real servers, and here "
                         f"{reason}; release where that server runs (or name the labs with --labs)")
            continue
        kept.append(lab)
    return kept, notes


ON_EMULATOR = "MongoDB is the emulator (GRADER_MONGODB_BACKEND=emulated), not a real server"


def unrecordable(lab: Lab, pool: ServicePool) -> str | None:
    """Why the lab's reference cannot be recorded here (a server missing, or only the MongoDB emulator),
    or None. A record made on the emulator would hold the emulator's answers as the truth."""
    for service in lab.spec.services:
        try:
            running = pool.get(service)
        except ServiceUnavailable as exc:
            return str(exc).splitlines()[0].rstrip(":")
        if is_emulated(running.url):
            return ON_EMULATOR
    return None


def release(root: Path, out: Path, labs: list[Lab], pool: ServicePool, bundle: Bundle | None) -> Released:
    if out.exists() and any(out.iterdir()):
        raise UsageError(f"{out} exists and is not empty", "name a new folder for the edition")
    on_emulator = [lab.id for lab in labs if "mongodb" in lab.spec.services and unrecordable(lab, pool) == ON_EMULATOR]
    if on_emulator:
        raise UsageError(f"cannot record the reference of {', '.join(on_emulator)} here: {ON_EMULATOR}, and a "
                         "record holds the reference's answers as the truth",
                         "release where a real MongoDB server runs (unset GRADER_MONGODB_BACKEND, or set "
                         "GRADER_MONGODB_URL), or name the other labs with --labs")
    missing = [lab.id for lab in labs if not lab.solution_dir.is_dir()]
    if missing:
        raise UsageError(f"no reference (.meta/solution) for {', '.join(missing)}: a release records what the "
                         "reference produces", "release from the course's full checkout (or --course with a bundle)")
    private_key = bundle.keys.signing_key if bundle else signing.new_private_key()
    done = Released(out, [lab.id for lab in labs])
    if bundle is None:
        done.notes.append("signed with a one-off key that was not kept: pass --bundle FILE to sign with your "
                          "grading bundle's key")
    with tempfile.TemporaryDirectory(prefix="grader-release-") as scratch:
        staging = Path(scratch) / "edition"
        for part in PROJECT_PARTS:
            if (root / part).is_dir():
                shutil.copytree(root / part, staging / part, ignore=IGNORED)
            elif (root / part).is_file():
                (staging / part).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(root / part, staging / part)
        for doc in ("docs/threat-model.md",):
            if (root / doc).is_file():
                (staging / doc).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(root / doc, staging / doc)
        (staging / ".github" / "workflows").mkdir(parents=True)
        shutil.copyfile(root / WORKFLOW, staging / ".github" / "workflows" / "grade.yml")
        labs_out = staging / "labs"
        datasets = sorted({lab.spec.dataset for lab in labs if lab.spec.dataset})
        for name in datasets:
            shutil.copytree(root / "labs" / "datasets" / name, labs_out / "datasets" / name, ignore=IGNORED)
        for lab in labs:
            shutil.copytree(lab.path, labs_out / lab.id, ignore=IGNORED)
            answers, notes = _record(lab, pool, root, Path(scratch))
            reference_record.write(labs_out / lab.id / reference_record.RECORD_FILE, lab.id, answers, private_key)
            done.notes += notes
        (labs_out / "course.yaml").write_text(_course_index(root, done.labs), encoding="utf-8")
        release_info = {"format": 1, "labs": done.labs, "public_key": signing.public_key(private_key)}
        (staging / RELEASE_FILE).write_text(json.dumps(release_info, indent=1) + "\n", encoding="utf-8")
        (staging / "README.md").write_text(_learner_readme(course(root).title, labs), encoding="utf-8")
        out.mkdir(parents=True, exist_ok=True)
        shutil.copytree(staging, out, dirs_exist_ok=True)
    return done
