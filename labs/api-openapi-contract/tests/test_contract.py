"""Public checks for api-openapi-contract: your app serves its OpenAPI document at /openapi.json,
the document describes every operation, and schemathesis holds the app to it."""

import pytest
from schemathesis import checks

from grader.apps import contract, expect

OPERATIONS = {
    "GET /books": {"200"},
    "POST /books": {"201", "400", "409", "422"},
    "GET /books/{id}": {"200", "404"},
    "PUT /books/{id}": {"200", "400", "404", "409", "422"},
    "DELETE /books/{id}": {"204", "404"},
}
CONFORMANCE = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
               checks.response_schema_conformance, checks.response_headers_conformance]
REJECTION = [checks.not_a_server_error, checks.negative_data_rejection, checks.status_code_conformance]


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_document_describes_every_operation(http):
    """GET /openapi.json is an OpenAPI 3 document with every operation and the status codes each answers"""
    document = contract.load_document(http)
    missing = sorted(set(OPERATIONS) - contract.operations(document))
    assert not missing, f"your OpenAPI document does not describe {', '.join(missing)}"
    for label, statuses in OPERATIONS.items():
        method, path = label.split(" ", 1)
        responses = document["paths"][path][method.lower()].get("responses") or {}
        undocumented = sorted(statuses - {str(code) for code in responses})
        assert not undocumented, f"{label}: the document must list the responses {', '.join(undocumented)}"


@pytest.mark.task(2)
@pytest.mark.points(4)
def test_app_conforms_to_its_document(http):
    """valid requests generated from the document, for every operation, get answers it promises"""
    document = contract.load_document(http)
    for label in sorted(OPERATIONS):
        contract.fuzz(http, document, label, CONFORMANCE, examples=15)


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_invalid_requests_are_refused(http):
    """requests that break the document's own rules are refused with a documented 4xx, never accepted"""
    document = contract.load_document(http)
    for label in ["POST /books", "PUT /books/{id}"]:
        contract.fuzz(http, document, label, REJECTION, negative=True, examples=15)


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_a_body_that_is_not_json_gets_the_documented_400(http):
    """a POST or PUT whose body is broken JSON is 400 with the documented error body {"message": …}"""
    books = expect.json_body(http.get("/books"), http.reveal)
    targets = [("POST", "/books")] + ([("PUT", f"/books/{books[0]['id']}")] if books else [])
    for method, path in targets:
        response = http.request(method, path, content=b'{"title": ', headers={"Content-Type": "application/json"})
        expect.status(response, 400, f"{method} {path} with a body that is not JSON", http.reveal)
        expect.content_type(response, "application/json")
        body = expect.json_body(response, http.reveal)
        assert isinstance(body, dict) and isinstance(body.get("message"), str), (
            f"{method} {path} with broken JSON: the 400 must be the error body your document promises, "
            '{"message": …} — not the framework\'s own error page (parse the body yourself, e.g. '
            "request.get_json(silent=True), and answer the error as JSON)")


INVALID = [("title", ""), ("title", "   "), ("title", "T" * 201), ("author_id", 0), ("author_id", "1"),
           ("year", 999), ("year", 2101), ("year", "1999"), ("isbn", "97812345"), ("isbn", 9781234567890)]
EDGES = [{"year": 1000, "title": "T"}, {"year": 2100, "title": "T" * 200}, {"year": None}]


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_the_rules_of_a_book_hold_at_their_edges(http, db, seed):
    """each rule of a valid book broken on its own is a 4xx the document lists, for POST and PUT; the
    edges of the rules (1 and 200 characters, years 1000 and 2100, no year) are accepted"""
    document = contract.load_document(http)
    books = expect.json_body(http.get("/books"), http.reveal)
    assert books, "GET /books must list the seeded books"
    target = books[0]["id"]
    isbns = iter(f"96{seed % 10}{n:010d}" for n in range(100))

    # the lowest author id too (1 in the public data)
    edges = [*EDGES, {"author_id": db.scalar("SELECT min(id) FROM public.authors")}]

    def book(**changes):
        return {"title": "A valid book", "author_id": books[0]["author_id"], "year": 1999, "isbn": next(isbns),
                **changes}

    for method, path, label in [("POST", "/books", "POST /books"), ("PUT", f"/books/{target}", "PUT /books/{id}")]:
        described = ((document.get("paths") or {}).get(label.split(" ", 1)[1]) or {}).get(method.lower())
        assert isinstance(described, dict), f"your OpenAPI document does not describe {label}"
        listed = {str(code) for code in described.get("responses") or {}}
        for field, value in INVALID:
            shown = expect.shown(value)
            response = http.request(method, path, json=book(**{field: value}))
            assert 400 <= response.status_code < 500, (
                f"{method} {path} with {field} {shown} answered {response.status_code}: it breaks the rules of a "
                "valid book (README), so the answer must be a 4xx")
            if response.status_code == 422:
                errors = expect.json_body(response, http.reveal).get("errors")
                assert isinstance(errors, dict) and field in errors, (
                    f"{method} {path} with {field} {shown}: a 422 names each invalid field in \"errors\" "
                    "(field → text), as the README's error format says")
            assert str(response.status_code) in listed, (
                f"{method} {path} with {field} {shown} answered {response.status_code}, which your document does "
                "not list for this operation")
        for changes in edges:
            response = http.request(method, path, json=book(**changes))
            described_edge = ", ".join(f"{k} {expect.shown(v)}" for k, v in changes.items())
            expect.status(response, 201 if method == "POST" else 200,
                          f"a book at the edges of the rules ({described_edge}) is valid", http.reveal)


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_the_app_still_serves_its_books(http, db, seed):
    """the app still does what a truthful document promises: an existing book is 200, a created one can be read
    and deleted (204, then 404), an isbn another book has is 409"""
    first = db.scalar("SELECT min(id) FROM public.books")
    response = http.get(f"/books/{first}")
    expect.status(response, 200, "the book exists", http.reveal)
    expect.equal(response, "the book's id", expect.json_body(response, http.reveal).get("id"), first, http.reveal)
    author = db.scalar("SELECT min(id) FROM public.authors")
    created = http.post("/books", json={"title": "Kept word", "author_id": author, "isbn": f"95{seed % 10}0000000001"})
    path = expect.created(created, "/books", http.reveal)
    expect.status(http.get(path), 200, "the created book can be read", http.reveal)
    taken = db.scalar("SELECT isbn FROM public.books WHERE id = %s", (first,))
    duplicate = http.post("/books", json={"title": "Copy", "author_id": author, "isbn": taken})
    expect.status(duplicate, 409, "another book has this isbn", http.reveal)
    expect.status(http.delete(path), 204, "the book existed", http.reveal)
    expect.status(http.delete(path), 404, "the book is gone", http.reveal)
    expect.status(http.get(path), 404, "the book is gone", http.reveal)
