"""Cookies as a browser would see them: a Set-Cookie header's attributes, and a session sent back
by hand (the grader holds several users' sessions at once, so it keeps no cookie jar)."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx


@dataclass(frozen=True)
class SetCookie:
    name: str
    value: str
    attributes: dict[str, str] = field(default_factory=dict)  # lower-case names; flags map to ""

    def has(self, attribute: str) -> bool:
        return attribute.lower() in self.attributes

    def get(self, attribute: str) -> str:
        return self.attributes.get(attribute.lower(), "")


def parse(header: str) -> SetCookie:
    pair, *rest = header.split(";")
    name, _, value = pair.partition("=")
    attributes = {}
    for part in rest:
        key, _, val = part.strip().partition("=")
        if key:
            attributes[key.lower()] = val.strip()
    return SetCookie(name.strip(), value.strip().strip('"'), attributes)


def set_cookies(response: httpx.Response) -> dict[str, SetCookie]:
    found = (parse(h) for h in response.headers.get_list("set-cookie"))
    return {cookie.name: cookie for cookie in found}


def header(cookies: dict[str, str]) -> dict[str, str]:
    """A Cookie request header for these name → value pairs."""
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
