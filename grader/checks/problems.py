"""The two ways a check can end badly, kept apart so a grader fault never costs a learner points."""

from __future__ import annotations


class Mismatch(AssertionError):
    """The submission ran but its result is wrong: a `fail`, with feedback for the learner."""


class SubmissionProblem(AssertionError):
    """The submission could not run (syntax error, timeout, exception): a `fail`, the learner can fix it."""


class GraderFault(RuntimeError):
    """Something on the grader's side broke (no reference, lost connection): an `error`, not the learner's."""
