"""Errors the grader reports to a person: each names the problem and the fix, never a traceback."""

from __future__ import annotations


class GraderError(Exception):
    """A failure of the grader or its environment, never the learner's fault.

    `fix` says what the person should do next; the CLI prints both and exits 2.
    """

    def __init__(self, problem: str, fix: str = "") -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.problem}\n  fix: {self.fix}" if self.fix else self.problem


class SpecError(GraderError):
    """A lab.yaml or course.yaml that does not parse or does not fit the model."""


class ServiceUnavailable(GraderError):
    """A database server that could not be had from any allowed backend."""


class UsageError(GraderError):
    """A command called with arguments that make no sense (unknown lab, conflicting flags)."""
