"""Readiness probes: a real request to each kind of server, used by every backend."""

from __future__ import annotations

import psycopg
import redis

from grader.services.base import ServiceName


def answers(service: ServiceName, url: str, timeout_s: float = 2.0) -> bool:
    """True when the server at `url` answers a trivial request within the timeout."""
    try:
        if service == "postgres":
            with psycopg.connect(url, connect_timeout=max(1, int(timeout_s))) as conn:
                conn.execute("SELECT 1")
        elif service == "redis":
            client = redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)
            try:
                client.ping()
            finally:
                client.close()
        else:
            import pymongo

            mongo: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(
                url, serverSelectionTimeoutMS=int(timeout_s * 1000)
            )
            try:
                mongo.admin.command("ping")
            finally:
                mongo.close()
    except Exception:
        return False
    return True
