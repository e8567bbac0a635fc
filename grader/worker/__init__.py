"""Learner Python runs here, in a subprocess: never in the process that records results."""
