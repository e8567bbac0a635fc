"""The `grader` command: the warm grader runs it when one serves this checkout, else the CLI here.

Kept to the standard library until the CLI is needed, so `grader` costs little to start either way.
"""

from __future__ import annotations

import sys


def main() -> None:
    from grader.warm_grader.client import try_run

    code = try_run(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from grader.cli import main as cli_main

    cli_main()
