"""Which MongoDB the project's own tests use, said out loud.

A real server wins (GRADER_MONGODB_URL, Docker, `mongod` on PATH). Only when none answers do the
tests set GRADER_MONGODB_BACKEND=emulated, the labelled mongomock opt-in; then checks that need
what the emulator lacks end as `error` with a stated reason, and the prove test reports them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from grader.errors import GraderError
from grader.services.select import choose, requested_backend


@dataclass
class MongoForTests:
    emulated: bool
    reason: str
    ran: list[str] = field(default_factory=list)  # "lab case: n checks"
    not_run: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # lab -> reason -> check names
    unprovable: list[str] = field(default_factory=list)  # cases only real-server checks tell apart

    def lines(self) -> list[str]:
        if not self.emulated:
            return [f"MongoDB for these tests: {self.reason}"]
        out = [f"MongoDB for these tests: EMULATED (mongomock) — {self.reason}",
               "mongodb lab cases graded on the emulator:"]
        out += [f"  ran: {line}" for line in self.ran]
        for lab, reasons in self.not_run.items():
            for reason, names in reasons.items():
                out.append(f"  could not run: {lab}: {len(names)} checks ({reason}): {'; '.join(sorted(names))}")
        out += [f"  not provable on the emulator: {line}" for line in self.unprovable]
        return out

    def refused(self, lab: str, name: str, message: str) -> None:
        """Remember a check the emulator could not run, grouped by lab and by what it needs."""
        reason = message.split(": this check needs ", 1)[-1].split(". It runs on", 1)[0]
        self.not_run.setdefault(lab, {}).setdefault(f"needs {reason}", set()).add(name)


def decide() -> MongoForTests:
    """Use what the user chose; else a real server if one can be had; else the emulator (and say why)."""
    if os.environ.get("GRADER_MONGODB_BACKEND"):
        choice = requested_backend("mongodb")
        return MongoForTests(choice == "emulated", f"GRADER_MONGODB_BACKEND={choice} (set by you)")
    try:
        backend = choose("mongodb")
    except GraderError as exc:
        os.environ["GRADER_MONGODB_BACKEND"] = "emulated"
        return MongoForTests(True, f"no real MongoDB answers here ({exc.problem.splitlines()[0]})")
    return MongoForTests(False, f"real server via the '{backend.backend}' backend")
