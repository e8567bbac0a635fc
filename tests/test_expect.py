"""grader/apps/expect.py: the messages a web lab's checks fail with. They must say what was sent, what
was expected and what came back, and on the hidden variant (reveal=False) quote no value from the data."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from grader.apps import expect
from grader.checks.problems import Mismatch

HIDDEN = "Zanzibar-7731"  # a value only the hidden data would hold


def answer(status: int, method: str = "GET", path: str = "/books/7", **content: Any) -> httpx.Response:
    return httpx.Response(status, request=httpx.Request(method, f"http://127.0.0.1:8123{path}"), **content)


def failure(call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(Mismatch) as raised:
        call(*args, **kwargs)
    return str(raised.value)


def test_a_wrong_status_names_the_request_both_codes_and_the_reason() -> None:
    message = failure(expect.status, answer(200, "POST", "/books?x=1", json={"id": 1}), 201, "a POST creates")
    assert message.startswith("POST /books?x=1: expected 201 Created (a POST creates), got 200 OK")
    assert "127.0.0.1" not in message and "8123" not in message
    assert '{"id":1}' in message.replace(" ", "")  # the body, on the public variant
    expect.status(answer(503), [200, 503])  # one of several allowed: no failure


def test_the_hidden_variant_quotes_no_body_and_no_value() -> None:
    response = answer(404, json={"title": HIDDEN})
    assert HIDDEN not in failure(expect.status, response, 200, reveal=False)
    assert HIDDEN not in failure(expect.equal, response, "the field `title`", HIDDEN, "Other", reveal=False)
    assert HIDDEN in failure(expect.equal, response, "the field `title`", HIDDEN, "Other", reveal=True)
    rule = {"type": "object", "properties": {"title": {"type": "integer"}}}
    hidden_schema = failure(expect.schema, response, {"title": HIDDEN}, rule, reveal=False)
    assert HIDDEN not in hidden_schema and "$.title" in hidden_schema and "wrong type" in hidden_schema
    assert HIDDEN in failure(expect.schema, response, {"title": HIDDEN}, rule, reveal=True)


def test_a_missing_required_field_is_named_on_both_variants() -> None:
    rule = {"type": "object", "required": ["author_id"]}
    for reveal in (True, False):
        assert "author_id" in failure(expect.schema, answer(200), {}, rule, reveal=reveal)
    assert "`id`, `title` are missing" in failure(expect.fields, answer(200), {"year": 1}, ["id", "title"])
    assert "expected a JSON object, got list" in failure(expect.fields, answer(200), [], ["id"])


def test_created_wants_201_and_a_location_inside_the_collection() -> None:
    assert expect.created(answer(201, "POST", "/books", headers={"Location": "/books/9"}), "/books") == "/books/9"
    absolute = answer(201, "POST", "/books", headers={"Location": "http://127.0.0.1:8123/books/9?v=1"})
    assert expect.created(absolute, "/books/") == "/books/9"
    elsewhere = answer(201, "POST", "/books", headers={"Location": f"/authors/{HIDDEN}"})
    assert "under /books/" in failure(expect.created, elsewhere, "/books", reveal=True)
    assert HIDDEN not in failure(expect.created, elsewhere, "/books", reveal=False)
    assert "without a Location header" in failure(expect.created, answer(201, "POST", "/books"), "/books")
    collection_itself = answer(201, "POST", "/books", headers={"Location": "/books"})
    assert "must point to the new resource under /books/" in failure(expect.created, collection_itself, "/books")


def test_bodies_that_are_not_json_and_server_errors() -> None:
    assert "not JSON (Content-Type: text/html)" in failure(
        expect.json_body, answer(200, headers={"Content-Type": "text/html"}, content=b"<p>hi</p>"))
    assert expect.json_body(answer(200, json=[1, 2])) == [1, 2]
    assert "answered 500 Internal Server Error; expected a 4xx (a title is required)" in failure(
        expect.client_error, answer(500, "POST", "/books"), "a title is required")
    expect.client_error(answer(422, "POST", "/books"), "a title is required")
    assert "expected Content-Type application/json, got text/plain" in failure(
        expect.content_type, answer(200, headers={"Content-Type": "text/plain; charset=utf-8"}), "application/json")


def test_a_long_sent_value_is_shown_by_its_length() -> None:
    assert expect.shown("x" * 201) == "of 201 characters"
    assert expect.shown("short") == "'short'"
    assert expect.shown(2**31) == repr(2**31)  # numbers are shown whole, however long
    assert expect.sent(answer(200, "DELETE", "/books/3?force=1")) == "DELETE /books/3?force=1"
