"""Shared fixtures: one set of real servers for the whole test session, as a grading run would have."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.services.session import ServicePool

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def pool() -> Iterator[ServicePool]:
    with ServicePool() as services:
        yield services
