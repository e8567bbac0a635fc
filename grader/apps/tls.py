"""One TLS context for every HTTP client a grading run makes.

httpx builds a new context for each client, loading the CA bundle each time (about 17 ms of CPU), and
a run makes a client per check and per readiness probe. Apps are spoken to over plain HTTP, so the
context is never used for a handshake; it is the same verifying context httpx would build, built once.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def shared_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()
