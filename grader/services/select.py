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
    own = os.environ.get(f"GRADER_{service.upper()}_BACKEND")
    value = own or os.environ.get("GRADER_BACKEND") or "auto"
    # Opt-in backends (the MongoDB emulator) only from the service's own variable, never GRADER_BACKEND.
    allowed = CHOICES + (extra_choices(service) if own else ())
    if value not in allowed:
        raise UsageError(
            f"unknown backend '{value}' for {service}", f"set GRADER_BACKEND to one of: {', '.join(allowed)}"
        )
    return value


def extra_choices(service: ServiceName) -> tuple[str, ...]:
    """Opt-in backends that auto never picks: the labelled MongoDB emulator (none for postgres and redis)."""
    return ("emulated",) if service == "mongodb" else ()


def _emulated(service: ServiceName) -> ServiceBackend:
    if service != "mongodb":
        raise UsageError(f"there is no emulated backend for {service}", "use auto, url, docker or local")
    from grader.services.emulated_mongo import EmulatedMongo

    return EmulatedMongo()


def _local(service: ServiceName) -> ServiceBackend:
    if service == "postgres":
        from grader.services.postgres import LocalPostgres

        return LocalPostgres()
    if service == "redis":
        from grader.services.redis import LocalRedis

        return LocalRedis()
    if service == "mongodb":
        from grader.services.mongodb import LocalMongo

        return LocalMongo()
    raise ServiceUnavailable(
        f"there is no local backend for {service} yet", f"set {ENV_URL[service]} to a running server"
    )


def docker_available() -> bool:
    """A Docker engine answers a ping (short timeout; remembered for the rest of the process)."""
    from grader.services.docker_engine import engine_answers

    return engine_answers()


def _docker(service: ServiceName) -> ServiceBackend:
    from grader.services.docker_backend import docker_backend

    return docker_backend(service)


def _docker_for_auto(service: ServiceName) -> ServiceBackend | None:
    """Auto takes Docker only when the image is here or can be pulled, else says so and falls back."""
    from grader.services.docker_backend import for_auto

    return for_auto(service)


FACTORIES: dict[str, BackendFactory] = {"url": UrlBackend, "docker": _docker, "local": _local, "emulated": _emulated}


def choose(service: ServiceName) -> ServiceBackend:
    """A backend that has not been started yet."""
    choice = requested_backend(service)
    if choice != "auto":
        return FACTORIES[choice](service)
    if UrlBackend.configured(service):
        return UrlBackend(service)
    docker_answers = docker_available()
    if docker_answers:
        docker = _docker_for_auto(service)
        if docker is not None:
            return docker
    try:
        return FACTORIES["local"](service)
    except ServiceUnavailable as exc:
        from grader.services.docker_engine import image_fix, image_for

        # Advice to "start Docker" while Docker runs misleads: say what Docker lacks instead.
        docker_way = (f"give Docker the image ({image_fix(service, image_for(service))})" if docker_answers
                      else "start Docker")
        raise ServiceUnavailable(
            f"no {service} server could be had: {exc.problem}",
            f"any one of: {docker_way}; install the server ({exc.fix}); or set {ENV_URL[service]}",
        ) from None
