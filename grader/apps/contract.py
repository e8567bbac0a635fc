"""Contract testing from the learner's own OpenAPI document, with schemathesis: requests generated
from the document (valid ones, and invalid ones the app must refuse) are sent to the running app,
and every answer is judged against what the document promises — status codes, response schemas,
content types, no server errors. Hypothesis runs derandomised with a fixed number of examples and
no shrinking, so a verdict is the same on every run and a run is bounded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import hypothesis
import requests
from hypothesis import HealthCheck, Phase, settings
from schemathesis import GenerationMode, openapi
from schemathesis.checks import CheckFunction
from schemathesis.core.result import Ok

from grader.apps.client import AppClient
from grader.checks.problems import Mismatch, SubmissionProblem

SHOWN = 600


def load_document(http: AppClient, path: str = "/openapi.json") -> dict[str, Any]:
    """The app's OpenAPI document, served by the app itself."""
    response = http.get(path)
    if response.status_code != 200:
        raise Mismatch(f"GET {path}: expected 200 OK with your OpenAPI document, got {response.status_code}")
    try:
        document = response.json()
    except ValueError:
        raise Mismatch(f"GET {path}: the body is not JSON; serve the OpenAPI document as JSON") from None
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3."):
        raise Mismatch(f"GET {path}: not an OpenAPI 3 document (it needs \"openapi\": \"3.0.3\" or \"3.1.0\")")
    return document


def operations(document: dict[str, Any]) -> set[str]:
    """'GET /books/{id}' for every operation the document describes (path parameters as written)."""
    methods = {"get", "put", "post", "delete", "patch", "head", "options"}
    paths = document.get("paths") or {}
    return {f"{method.upper()} {path}" for path, item in paths.items() if isinstance(item, dict)
            for method in item if method in methods}


def _describe(failure: BaseException, reveal: bool) -> str:
    """schemathesis's own words; on the hidden variant only the kind of failure (its details may
    quote the app's answer, which holds hidden data)."""
    found = getattr(failure, "exceptions", None) or [failure]
    first = found[0]
    title = getattr(first, "title", type(first).__name__)
    message = str(getattr(first, "message", "") or first)
    return f"{title}: {message}"[:SHOWN] if reveal else str(title)


def fuzz(http: AppClient, document: dict[str, Any], label: str, checks: Sequence[CheckFunction],
         negative: bool = False, examples: int = 25) -> None:
    """Send `examples` generated requests for the operation `label` (e.g. 'POST /books') and judge
    each answer with `checks`; the first failure is a Mismatch naming the request that caused it."""
    try:
        schema = openapi.from_dict(document)
        results = list(schema.get_all_operations())
    except Exception as exc:  # schemathesis rejects documents it cannot use, in many ways
        raise Mismatch(f"your OpenAPI document cannot be used: {str(exc)[:SHOWN]}") from None
    found = [r.ok() for r in results if isinstance(r, Ok)]
    operation = next((op for op in found if f"{op.method.upper()} {op.path}" == label), None)
    if operation is None:
        broken = [str(r.err())[:SHOWN] for r in results if not isinstance(r, Ok)]
        reason = f": {broken[0]}" if broken else ""
        raise Mismatch(f"your OpenAPI document does not describe {label} in a usable way{reason}")
    mode = GenerationMode.NEGATIVE if negative else GenerationMode.POSITIVE
    timeout = http.app.spec.request_timeout_s
    failures: list[str] = []

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), verbosity=hypothesis.Verbosity.quiet)
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        if failures:
            return
        http.app.ensure_running()
        try:
            response = case.call(base_url=http.app.base_url, timeout=timeout)
        except requests.Timeout:
            raise SubmissionProblem(f"{label} got no answer within {timeout:g} s (a generated request)") from None
        except requests.ConnectionError:
            raise http.app.crashed_problem(f"a generated {label} request") from None
        try:
            case.validate_response(response, checks=list(checks))
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis groups its failures (a BaseExceptionGroup)
            request = response.request
            body = request.body.decode(errors="replace") if isinstance(request.body, bytes) else request.body
            sent = f"{request.method} {request.path_url}" + (f" with body {str(body)[:200]}" if body else "")
            failures.append(f"{sent} → {response.status_code}: {_describe(exc, http.reveal)}")

    run()
    if failures:
        kind = "an invalid request" if negative else "a request your document allows"
        raise Mismatch(f"{label}: {kind} broke the contract.\n{failures[0]}")
