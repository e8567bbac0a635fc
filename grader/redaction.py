"""No secret in any report: what learner code printed or raised is shown back to the learner, and it
may hold an administrator URL, a password, a CI token or a line of a hidden check it managed to read.

The runner redacts every lab result once, before any renderer sees it, so the text, JSON, JUnit,
Gradescope and GitHub reports are all covered by one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from grader.isolation.urls import learner_password
from grader.results import LabResult

MASK = "[redacted]"
SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSW|PASSPHRASE|CREDENTIAL|API_?KEY|PRIVATE|AUTH|COOKIE", re.IGNORECASE)
MIN_SECRET = 6  # shorter values would mask ordinary words
MIN_SOURCE_LINE = 24  # a hidden check's line worth hiding; shorter ones are `assert x` and the like


def url_secrets(url: str) -> list[str]:
    """A URL with credentials, its password (raw and URL-encoded) and the password derived from it."""
    found = [url, learner_password(url)]
    try:
        parts = urlsplit(url)
    except ValueError:
        return found
    if parts.password:
        found += [parts.password, unquote(parts.password)]
        found.append(parts.netloc)
    return found


def environment_secrets(environ: Mapping[str, str]) -> list[str]:
    found: list[str] = []
    for name, value in environ.items():
        if SECRET_NAME.search(name):
            found.append(value)
        elif "://" in value and "@" in value:
            found += url_secrets(value)
    return found


def hidden_source_lines(folders: Iterable[Path]) -> list[str]:
    lines: list[str] = []
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.rglob("*.py")):
                text = path.read_text(encoding="utf-8", errors="replace")
                lines += [line.strip() for line in text.splitlines() if len(line.strip()) >= MIN_SOURCE_LINE]
    return lines


class Redactor:
    def __init__(self, secrets: Iterable[str]) -> None:
        unique = {s for s in secrets if s and len(s) >= MIN_SECRET}
        self.secrets = sorted(unique, key=len, reverse=True)  # a URL before the password inside it

    def text(self, value: str) -> str:
        for secret in self.secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        return value

    def lab(self, result: LabResult) -> LabResult:
        result.message = self.text(result.message)
        result.services = [self.text(s) for s in result.services]
        for check in result.tests:
            check.message = self.text(check.message)
            check.hint = self.text(check.hint)
        return result
