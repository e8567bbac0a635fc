"""The report formats that are files (json, junit, gradescope), and `--report FORMAT=FILE` for writing several.

One grading run, several files: CI writes the JSON and the JUnit report from the same run instead of
grading twice.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from grader.render import gradescope, json_format, junit
from grader.results import RunResult

FILE_FORMATS: dict[str, Callable[[RunResult], str]] = {
    "json": json_format.render,
    "junit": junit.render,
    "gradescope": gradescope.render,
}


def parse_reports(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[tuple[str, Path]]:
    """click callback: ('junit=results.xml', ...) → [('junit', Path('results.xml')), ...]."""
    reports = []
    for value in values:
        fmt, sep, file = value.partition("=")
        if not sep or not file or fmt not in FILE_FORMATS:
            raise click.BadParameter(
                f"'{value}' is not FORMAT=FILE with FORMAT one of {', '.join(FILE_FORMATS)} (e.g. junit=results.xml)",
                ctx=ctx, param=param,
            )
        reports.append((fmt, Path(file)))
    return reports


def write(run: RunResult, fmt: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FILE_FORMATS[fmt](run) + "\n", encoding="utf-8")
