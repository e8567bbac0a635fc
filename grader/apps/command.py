"""What starts a learner's app: lab.yaml's `command`, or the learner's own start script.

The start script (`app.command_file`, e.g. run.sh) is a submission file run with `sh`, the way
CodeCrafters' `your_program.sh` is: the learner may switch it to `node app.js` or a Go binary, and
the grader neither knows nor cares which language answers on the port.
"""

from __future__ import annotations

import sys
from pathlib import Path

from grader.checks.problems import SubmissionProblem
from grader.spec import AppSpec


def app_command(spec: AppSpec, folder: Path) -> list[str]:
    if spec.command_file is not None:
        if not (folder / spec.command_file).is_file():
            raise SubmissionProblem(f"{spec.command_file} is missing: it starts your app; restore the starter's copy")
        return ["sh", spec.command_file]
    return [sys.executable if part == "{python}" else part for part in spec.command]
