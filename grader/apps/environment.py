"""The environment a learner's app gets: where to listen and how to reach its data, nothing else.

The sandbox adds PATH, HOME, locale and its own marker; everything the grader knows beyond this
(administrator URLs, the course's paths) stays out of the app's reach.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

HOST = "127.0.0.1"


def node_modules() -> Path:
    """npm packages for Node.js apps, installed once by `make setup` into the virtual environment
    (which the sandbox keeps visible), so grading never installs anything from the network."""
    return Path(sys.prefix) / "node" / "node_modules"


def app_environment(port: int, database_url: str | None, redis_url: str | None,
                    extra: Mapping[str, str]) -> dict[str, str]:
    env = {"PORT": str(port), "HOST": HOST, "PYTHON": sys.executable, "NODE_PATH": str(node_modules()),
           "NODE_ENV": "production", **extra}
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    if redis_url is not None:
        env["REDIS_URL"] = redis_url
    return env
