"""The project's own JSON format (versioned): what `grader check --format json` prints."""

from __future__ import annotations

import json
from typing import Any

from grader.results import SCHEMA_VERSION, RunResult


def as_dict(run: RunResult) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "status": run.status,
        "score": run.score,
        "max_score": run.max_score,
        "labs": [
            {
                "id": lab.id,
                "title": lab.title,
                "status": lab.status,
                "score": lab.score,
                "max_score": lab.max_score,
                "message": lab.message,
                "services": lab.services,
                "duration": lab.duration,
                "tests": [t.model_dump() for t in lab.tests],
            }
            for lab in run.labs
        ],
    }


def render(run: RunResult) -> str:
    document = as_dict(run)
    if run.course:
        document["course"] = run.course
    if run.warnings:
        document["warnings"] = run.warnings
    return json.dumps(document, indent=2, default=str)
