"""Running learner and reference SQL files and comparing their results.

Learner SQL runs on the server as the non-superuser learner role with a statement timeout, in a
transaction that is rolled back, so checks cannot disturb each other. `fresh()` gives a new copy of
the seeded database for checks that grade the state a script leaves behind.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import psycopg

from grader.checks.problems import GraderFault, Mismatch, SubmissionProblem
from grader.sqlcompare import ResultSet, Rules, compare

COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
Source = Literal["submission", "reference"]


def has_statement(text: str) -> bool:
    return bool(COMMENTS.sub("", text).replace(";", "").strip())


class SqlChecker:
    """SQL checks against one database of one variant."""

    def __init__(
        self,
        learner_url: str,
        admin_url: str,
        submission_dir: Path,
        reference_dir: Path | None,
        timeout_ms: int,
        reveal: bool,
        fresh_copy: Callable[[], SqlChecker],
        touched: Callable[[str], None],
    ) -> None:
        self.learner_url = learner_url
        self.admin_url = admin_url
        self.submission_dir = submission_dir
        self.reference_dir = reference_dir
        self.timeout_ms = timeout_ms
        self.reveal = reveal
        self._fresh_copy = fresh_copy
        self._touched = touched

    def fresh(self) -> SqlChecker:
        """A checker on a new copy of the seeded database (for scripts that change data)."""
        return self._fresh_copy()

    def _read(self, rel: str, source: Source) -> str:
        if source == "reference":
            if self.reference_dir is None or not (self.reference_dir / rel).is_file():
                raise GraderFault(f"the reference solution has no {rel}")
            return (self.reference_dir / rel).read_text(encoding="utf-8")
        self._touched(rel)
        path = self.submission_dir / rel
        if not path.is_file():
            raise SubmissionProblem(f"{rel} is missing: restore the starter file and write your query in it")
        text = path.read_text(encoding="utf-8", errors="replace")
        if not has_statement(text):
            raise SubmissionProblem(f"{rel} has no SQL yet: write your query in it")
        return text

    def run(self, rel: str, source: Source = "submission", commit: bool = False) -> ResultSet:
        """Run a file as the learner role; the result of its last statement that returns rows."""
        text = self._read(rel, source)
        try:
            conn = psycopg.connect(self.learner_url, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise GraderFault(f"cannot connect as the learner role: {exc}") from None
        with conn:
            try:
                return self._execute(conn, text, commit)
            except psycopg.errors.QueryCanceled:
                problem = f"{rel} was stopped after {self.timeout_ms} ms (statement_timeout): make the query cheaper"
            except psycopg.Error as exc:
                if source == "reference":
                    raise GraderFault(f"the reference {rel} failed: {exc}") from None
                problem = f"{rel} failed in PostgreSQL: {_describe(exc)}"
        if source == "reference":
            raise GraderFault(f"the reference {rel} timed out")
        raise SubmissionProblem(problem)

    @staticmethod
    def _execute(conn: psycopg.Connection[Any], text: str, commit: bool) -> ResultSet:
        result: ResultSet | None = None
        with conn.cursor() as cursor:
            cursor.execute(text.encode())  # bytes: run as written, several statements allowed
            while True:
                if cursor.description is not None:
                    result = ResultSet([d.name for d in cursor.description], [tuple(r) for r in cursor.fetchall()])
                if not cursor.nextset():
                    break
        if commit:
            conn.commit()
        else:
            conn.rollback()
        return result or ResultSet([], [])

    def check(
        self,
        rel: str,
        *,
        ordered: bool = False,
        columns: Literal["name", "position"] = "name",
        round_digits: int | None = None,
        tolerance: float | None = None,
    ) -> None:
        """Run the learner's file and the reference's file of the same name and compare the results."""
        rules = Rules(ordered=ordered, columns=columns, round_digits=round_digits, tolerance=tolerance)
        expected = self.run(rel, "reference")
        actual = self.run(rel)
        outcome = compare(expected, actual, rules, reveal=self.reveal)
        if not outcome.ok:
            raise Mismatch(f"{rel}: {outcome.message}")

    def query(self, text: str, params: tuple[Any, ...] = ()) -> ResultSet:
        """Read state as administrator (catalog, tables the learner changed)."""
        with psycopg.connect(self.admin_url, autocommit=True) as conn, conn.cursor() as cursor:
            cursor.execute(text, params)  # type: ignore[arg-type]
            if cursor.description is None:
                return ResultSet([], [])
            return ResultSet([d.name for d in cursor.description], [tuple(r) for r in cursor.fetchall()])


def _describe(exc: psycopg.Error) -> str:
    diag = exc.diag
    text = diag.message_primary or str(exc).strip()
    if diag.sqlstate:
        text += f" (SQLSTATE {diag.sqlstate})"
    if diag.message_hint:
        text += f"\n  hint: {diag.message_hint}"
    return text
