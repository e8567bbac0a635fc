"""A mutant: one reference file with one plausible mistake in it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    rel: str  # the submission file it replaces, e.g. queries/01_x.sql
    operator: str  # what was changed and its occurrence in the file, e.g. comparison-2
    where: str  # the changed part as it was in the reference (for the report)
    text: str  # the whole mutated file

    @property
    def id(self) -> str:
        """Stable while the reference file does not change: how equivalent-mutants.yaml names it."""
        return f"{self.rel}:{self.operator}"
