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
