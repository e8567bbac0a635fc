"""Connection URLs for one database of a server, optionally as another user (PostgreSQL and Redis alike)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from urllib.parse import quote, urlsplit, urlunsplit


def with_database(url: str, database: str, user: str | None = None, password: str | None = None,
                  options: str | None = None, params: Mapping[str, str] | None = None) -> str:
    """`url` pointed at `database` (a name, or a Redis db number); with `user`, as that user instead of
    the URL's own; `options` are PostgreSQL run-time settings (e.g. '-c statement_timeout=5000');
    `params` replace query parameters of the same name (e.g. MongoDB's authSource)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if user is not None:
        netloc = f"{quote(user, safe='')}:{quote(password or '', safe='')}@{netloc}"
    elif "@" in parts.netloc:
        netloc = parts.netloc
    extra = dict(params or {})
    if options:
        extra["options"] = quote(options)
    kept = [p for p in parts.query.split("&") if p and p.split("=", 1)[0] not in extra]
    query = "&".join([*kept, *(f"{key}={value}" for key, value in extra.items())])
    return urlunsplit((parts.scheme, netloc, "/" + database, query, ""))


def learner_password(admin_url: str, purpose: str = "learner") -> str:
    """Derived from the server's admin URL: stable per server, so concurrent runs sharing a warm
    server agree on it without storing it anywhere."""
    return hashlib.sha256(f"{purpose}:{admin_url}".encode()).hexdigest()[:24]
