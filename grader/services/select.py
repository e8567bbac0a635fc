"""Choosing a backend per service: an explicit choice, else url → docker → local (DESIGN.md §2)."""

from __future__ import annotations

import os
from collections.abc import Callable

from grader.errors import ServiceUnavailable, UsageError
from grader.services.base import ENV_URL, ServiceBackend, ServiceName
from grader.services.url_backend import UrlBackend

BackendFactory = Callable[[ServiceName], ServiceBackend]
CHOICES = ("auto", "url", "docker", "local")


def requested_backend(service: ServiceName) -> str:
    """GRADER_<SERVICE>_BACKEND, else GRADER_BACKEND, else auto."""
    value = os.environ.get(f"GRADER_{service.upper()}_BACKEND") or os.environ.get("GRADER_BACKEND") or "auto"
    allowed = CHOICES + extra_choices(service)
    if value not in allowed:
        raise UsageError(
            f"unknown backend '{value}' for {service}", f"set GRADER_BACKEND to one of: {', '.join(allowed)}"
        )
    return value


def extra_choices(service: ServiceName) -> tuple[str, ...]:
    """Opt-in backends that auto never picks (none yet for postgres and redis)."""
    return ()


def _local(service: ServiceName) -> ServiceBackend:
    if service == "postgres":
        from grader.services.postgres import LocalPostgres

        return LocalPostgres()
    if service == "redis":
        from grader.services.redis import LocalRedis

        return LocalRedis()
    raise ServiceUnavailable(
        f"there is no local backend for {service} yet", f"set {ENV_URL[service]} to a running server"
    )


def docker_available() -> bool:
    """The docker backend is not built yet; auto therefore never picks it."""
    return False


def _docker(service: ServiceName) -> ServiceBackend:
    raise ServiceUnavailable(
        "the docker backend is not available in this version of the grader",
        "use GRADER_BACKEND=local (server binaries) or GRADER_BACKEND=url with GRADER_<SERVICE>_URL",
    )


FACTORIES: dict[str, BackendFactory] = {"url": UrlBackend, "docker": _docker, "local": _local}


def choose(service: ServiceName) -> ServiceBackend:
    """A backend that has not been started yet."""
    choice = requested_backend(service)
    if choice != "auto":
        return FACTORIES[choice](service)
    if UrlBackend.configured(service):
        return UrlBackend(service)
    if docker_available():
        return FACTORIES["docker"](service)
    try:
        return FACTORIES["local"](service)
    except ServiceUnavailable as exc:
        raise ServiceUnavailable(
            f"no {service} server could be had: {exc.problem}",
            f"any one of: start Docker; install the server ({exc.fix}); or set {ENV_URL[service]}",
        ) from None
