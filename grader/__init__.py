"""backend-labs grader: real servers, hidden checks, feedback that teaches."""

__version__ = "0.1.0"
