"""Connection URLs for one database of a server, optionally as another user (PostgreSQL and Redis alike)."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit


def with_database(url: str, database: str, user: str | None = None, password: str | None = None,
                  options: str | None = None) -> str:
    """`url` pointed at `database` (a name, or a Redis db number); with `user`, as that user instead of
    the URL's own; `options` are PostgreSQL run-time settings (e.g. '-c statement_timeout=5000')."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if user is not None:
        netloc = f"{quote(user)}:{quote(password or '')}@{netloc}"
    elif "@" in parts.netloc:
        netloc = parts.netloc
    query = parts.query
    if options:
        query = "&".join(p for p in [query, f"options={quote(options)}"] if p)
    return urlunsplit((parts.scheme, netloc, "/" + database, query, ""))
