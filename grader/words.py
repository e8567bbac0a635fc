"""Counting things in English: "1 document", "3 documents" (never "document(s)")."""

from __future__ import annotations


def count(n: float, singular: str, plural: str | None = None) -> str:
    """`n` with the noun in the right number; the plural defaults to singular + "s"."""
    noun = singular if n == 1 else (plural or singular + "s")
    return f"{n:g} {noun}"


def singular_of(plural: str) -> str:
    """A noun given in the plural ("documents", "rows") back in the singular, for counts of one."""
    return plural[:-1] if plural.endswith("s") and not plural.endswith("ss") else plural
