"""The interface every service backend implements: start / ready / url / stop."""

from __future__ import annotations

import abc
from typing import Literal

ServiceName = Literal["postgres", "redis", "mongodb"]
BACKEND_ORDER = ("url", "docker", "local")
ENV_URL = {"postgres": "GRADER_POSTGRES_URL", "redis": "GRADER_REDIS_URL", "mongodb": "GRADER_MONGODB_URL"}


class ServiceBackend(abc.ABC):
    """A database server the grader can use; `url()` is an administrator's connection URL."""

    service: ServiceName
    backend: str

    @abc.abstractmethod
    def start(self) -> None:
        """Bring the server up (or attach to it) and return once it answers."""

    @abc.abstractmethod
    def ready(self) -> bool:
        """True when the server answers a real request (a ping, not an open port)."""

    @abc.abstractmethod
    def url(self) -> str:
        """The administrator URL, valid after start()."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Release what start() created; attaching backends release nothing."""

    def describe(self) -> str:
        """One line for `grader services status`: where the server comes from."""
        return self.backend
