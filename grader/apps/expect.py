"""Expectations on an app's responses that fail with feedback a learner can act on: what was sent,
what was expected and why, what came back. Values from the data are quoted for the public variant
only (`reveal`); on the hidden one the message names the field or the path, never its value."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

import httpx
import jsonschema

from grader.checks.problems import Mismatch

BODY_SHOWN = 300


def _status_text(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


def sent(response: httpx.Response) -> str:
    """'POST /books' — what the check sent, without host and port."""
    request = response.request
    target = request.url.raw_path.decode("ascii", errors="replace")
    return f"{request.method} {target}"


def _body_excerpt(response: httpx.Response, reveal: bool) -> str:
    if not reveal or not response.content:
        return ""
    text = response.text.strip()
    text = text if len(text) <= BODY_SHOWN else text[:BODY_SHOWN] + " …"
    return f"\nThe body was: {text}"


def shown(value: Any) -> str:
    """A value the check sent, for a message: itself when short, its length when long (a 201-character title)."""
    text = repr(value)
    return text if len(text) < 20 or not isinstance(value, str) else f"of {len(value)} characters"


def status(response: httpx.Response, expected: int | Iterable[int], why: str = "", reveal: bool = True) -> None:
    """The status code is one of `expected`; e.g. 'POST /books: expected 201 Created, got 200 OK'."""
    allowed = [expected] if isinstance(expected, int) else sorted(expected)
    if response.status_code in allowed:
        return
    wanted = " or ".join(_status_text(code) for code in allowed)
    because = f" ({why})" if why else ""
    raise Mismatch(f"{sent(response)}: expected {wanted}{because}, got {_status_text(response.status_code)}"
                   f"{_body_excerpt(response, reveal)}")


def client_error(response: httpx.Response, why: str, reveal: bool = True) -> None:
    """Not a 5xx: bad input is the client's mistake (4xx); a 5xx says the server is broken."""
    if response.status_code >= 500:
        raise Mismatch(f"{sent(response)}: answered {_status_text(response.status_code)}; expected a 4xx "
                       f"({why}){_body_excerpt(response, reveal)}")


def header(response: httpx.Response, name: str, why: str = "") -> str:
    value = str(response.headers.get(name) or "")
    if not value:
        because = f": {why}" if why else ""
        raise Mismatch(f"{sent(response)} answered {_status_text(response.status_code)} without a {name} "
                       f"header{because}")
    return value


def created(response: httpx.Response, collection: str, reveal: bool = True) -> str:
    """201 Created with a Location header that points into `collection`; returns the Location's path."""
    status(response, 201, "a POST that creates a resource answers 201 Created", reveal)
    location = header(response, "Location", f"201 Created names the new resource's URL, e.g. {collection}/42")
    path = httpx.URL(location).path if "://" in location else location.split("?")[0]
    if not path.startswith(collection.rstrip("/") + "/"):
        quoted = f" ({location})" if reveal else ""
        raise Mismatch(f"{sent(response)}: the Location header{quoted} must point to the new resource under "
                       f"{collection}/")
    return path


def json_body(response: httpx.Response, reveal: bool = True) -> Any:
    content_type = response.headers.get("content-type", "")
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise Mismatch(f"{sent(response)}: the body is not JSON (Content-Type: {content_type or 'none'})"
                       f"{_body_excerpt(response, reveal)}") from None


def content_type(response: httpx.Response, expected: str) -> None:
    actual = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if actual != expected:
        raise Mismatch(f"{sent(response)}: expected Content-Type {expected}, got {actual or 'none'}")


def fields(response: httpx.Response, body: Any, required: Iterable[str]) -> Mapping[str, Any]:
    """The body is a JSON object holding every field in `required`; e.g. "the body's field `id` is missing"."""
    if not isinstance(body, dict):
        raise Mismatch(f"{sent(response)}: expected a JSON object, got {type(body).__name__}")
    missing = [name for name in required if name not in body]
    if missing:
        names = ", ".join(f"`{name}`" for name in missing)
        raise Mismatch(f"{sent(response)}: the body's field{'s' if len(missing) > 1 else ''} {names} "
                       f"{'are' if len(missing) > 1 else 'is'} missing")
    return body


def equal(response: httpx.Response, what: str, actual: Any, expected: Any, reveal: bool, why: str = "") -> None:
    """`what` (e.g. "the field `title`") has the expected value; both quoted only when `reveal`."""
    if actual == expected:
        return
    because = f" ({why})" if why else ""
    detail = f": expected {expected!r}, got {actual!r}" if reveal else " is not what was expected"
    raise Mismatch(f"{sent(response)}: {what}{detail}{because}")


def schema(response: httpx.Response, body: Any, json_schema: Mapping[str, Any], reveal: bool = True) -> None:
    """The body matches a JSON Schema; a violation names its path, e.g. `$.items[2].price`."""
    validator = jsonschema.Draft202012Validator(json_schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(body))
    if error is None:
        return
    where = error.json_path
    if reveal:
        problem = error.message
    else:
        problem = {"required": "a required field is missing", "type": "has the wrong type",
                   "additionalProperties": "has a field that is not allowed"}.get(str(error.validator),
                                                                                 f"breaks the rule '{error.validator}'")
        if error.validator == "required":
            problem = error.message.split(" is a required")[0].strip("'") + " is missing"
    raise Mismatch(f"{sent(response)}: the body does not match the expected schema at {where}: {problem}")
