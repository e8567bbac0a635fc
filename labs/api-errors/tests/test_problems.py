"""Public checks for api-errors: every error is a problem document (RFC 9457), and nothing leaks."""

from urllib.parse import urlsplit

import pytest

from grader.apps import expect, faults

PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {"type": {"type": "string", "minLength": 1}, "title": {"type": "string", "minLength": 1},
                   "status": {"type": "integer"}, "detail": {"type": "string"}},
}
LEAKS = ["Traceback", "File \"", "psycopg", "Error:", "SELECT ", "INSERT ", "grader_run_", "/var/tmp", "postgresql://"]


def problem(response, status, why, reveal):
    """The response is a problem document with this status, its `status` member equal to it."""
    expect.status(response, status, why, reveal)
    expect.content_type(response, "application/problem+json")
    body = expect.json_body(response, reveal)
    expect.schema(response, body, PROBLEM, reveal)
    expect.equal(response, "the problem's `status` member", body["status"], status, True,
                 "it repeats the HTTP status code, as a number")
    return body


def valid_book(db, seed, n, **changes):
    book = {"title": f"Errors check {n}", "author_id": db.scalar("SELECT min(id) FROM public.authors"), "year": 1999,
            "isbn": f"96{seed % 10}{n:010d}"}
    book.update(changes)
    return book


def pointers(body):
    errors = body.get("errors")
    assert isinstance(errors, list) and errors, "a 422 problem must list the invalid fields in `errors`"
    found = set()
    for error in errors:
        assert isinstance(error, dict) and isinstance(error.get("pointer"), str) and isinstance(
            error.get("detail"), str), "each entry of `errors` needs a `pointer` (e.g. \"/title\") and a `detail`"
        found.add(error["pointer"].removeprefix("#"))
    return found


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_not_found_is_a_problem(http, db):
    """an unknown book, an id that is not a number or beyond the integer range, an unknown path: 404 problems"""
    missing = db.scalar("SELECT max(id) FROM public.books") + 500
    for path in [f"/books/{missing}", "/books/not-a-number", f"/books/{2 ** 31}", "/no/such/path"]:
        problem(http.get(path), 404, "nothing is there", http.reveal)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_validation_lists_every_invalid_field(http, db, seed):
    """a book with three invalid fields is one 422 problem whose `errors` point at all three"""
    before = db.scalar("SELECT count(*) FROM public.books")
    response = http.post("/books", json=valid_book(db, seed, 1, title="", year="MCMXCIX", isbn=123))
    body = problem(response, 422, "the book is not valid", http.reveal)
    found = pointers(body)
    missing = {"/title", "/year", "/isbn"} - found
    assert not missing, (f"POST /books: `errors` must point at every invalid field; missing: {sorted(missing)} "
                         "(collect all errors before answering)")
    assert "/author_id" not in found, "POST /books: `errors` points at /author_id, which was valid"
    assert db.scalar("SELECT count(*) FROM public.books") == before, "an invalid book was stored"


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_one_invalid_field_one_pointer(http, db, seed):
    """an unknown author is one error pointing at /author_id"""
    unknown = db.scalar("SELECT max(id) FROM public.authors") + 77
    body = problem(http.post("/books", json=valid_book(db, seed, 2, author_id=unknown)), 422,
                   "the author does not exist", http.reveal)
    assert pointers(body) == {"/author_id"}, "POST /books: `errors` must point at exactly /author_id"


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_validation_edges(http, db, seed):
    """the rules' edges: year 1000 and 2100 and a 200-character title are valid (201, stored); year 999 and
    2101, a 201-character title, an author_id sent as text or beyond the integer range are one pointer each"""
    for n, changes in enumerate([{"year": 1000}, {"year": 2100, "title": "T" * 200}], start=10):
        path = expect.created(http.post("/books", json=valid_book(db, seed, n, **changes)), "/books", http.reveal)
        expect.status(http.get(path), 200, "the created book can be read back", http.reveal)
    invalid = [("/year", {"year": 999}), ("/year", {"year": 2101}), ("/title", {"title": "T" * 201}),
               ("/author_id", {"author_id": "1"}), ("/author_id", {"author_id": 2 ** 31})]
    for n, (pointer, changes) in enumerate(invalid, start=20):
        (field, value), = changes.items()
        shown = expect.shown(value)
        body = problem(http.post("/books", json=valid_book(db, seed, n, **changes)), 422,
                       f"{field} {shown} is not valid", http.reveal)
        assert pointers(body) == {pointer}, (f"POST /books with {field} {shown}: `errors` must point at exactly "
                                             f"{pointer}")


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_request_errors_are_problems(http, db, seed):
    """broken JSON 400, a text/plain body 415, a duplicate isbn 409: each a problem document"""
    problem(http.post("/books", content=b'{"title": "x",', headers={"Content-Type": "application/json"}), 400,
            "the body is not valid JSON", http.reveal)
    problem(http.post("/books", content=b"title=x", headers={"Content-Type": "text/plain"}), 415,
            "the body must be application/json", http.reveal)
    taken = db.scalar("SELECT isbn FROM public.books ORDER BY id DESC LIMIT 1")
    problem(http.post("/books", json=valid_book(db, seed, 3, isbn=taken)), 409, "the isbn is taken", http.reveal)


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_method_not_allowed_keeps_allow(http):
    """DELETE /books is 405, a problem document with an Allow header listing GET and POST"""
    response = http.delete("/books")
    problem(response, 405, "the collection cannot be deleted", http.reveal)
    allow = {m.strip().upper() for m in expect.header(response, "Allow", "405 must say which methods work").split(",")}
    assert {"GET", "POST"} <= allow, f"DELETE /books: the Allow header must list GET and POST, got {sorted(allow)}"


@pytest.mark.task(4)
@pytest.mark.points(3)
def test_database_down_leaks_nothing(http, app, db):
    """with the database down: a 500 or 503 problem without stack trace, SQL or connection details"""
    password = urlsplit(app.database_url).password or "-"
    paths = ["/books", f"/books/{db.scalar('SELECT min(id) FROM public.books')}"]
    with faults.database_down(db):
        for path in paths:
            response = http.get(path)
            body = problem(response, response.status_code if response.status_code in (500, 503) else 503,
                           "the server cannot reach its database", http.reveal)
            leaked = [word for word in [*LEAKS, password] if word in response.text]
            assert not leaked, (f"GET {path}: the error tells the client about the server's internals "
                                f"({', '.join(leaked[:3])}); log it, and answer a short generic detail")
            assert body["status"] in (500, 503)
    expect.status(http.get("/books"), 200, "the database is back: the app must recover without a restart",
                  http.reveal)
