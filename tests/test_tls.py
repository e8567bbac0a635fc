"""The HTTP clients of a run share one TLS context, built once, and it still verifies certificates."""

from __future__ import annotations

import ssl

from grader.apps.tls import shared_context


def test_one_context_for_the_run_and_it_verifies() -> None:
    context = shared_context()
    assert shared_context() is context, "built once per process, not per client"
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0, "the CA bundle is loaded"
