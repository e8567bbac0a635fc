"""The report formats that are files (json, junit, gradescope), and `--report FORMAT=FILE` for writing several.

One grading run, several files: CI writes the JSON and the JUnit report from the same run instead of
grading twice.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from grader.results import RunResult

# format -> the module whose render(run) writes it; imported only when a report is written
FILE_FORMATS: dict[str, str] = {
    "json": "grader.render.json_format",
    "junit": "grader.render.junit",
    "gradescope": "grader.render.gradescope",
}


def render(fmt: str, run: RunResult) -> str:
    text: str = importlib.import_module(FILE_FORMATS[fmt]).render(run)
    return text


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
    path.write_text(render(fmt, run) + "\n", encoding="utf-8")
