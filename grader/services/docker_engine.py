"""The Docker engine as the grader sees it: does one answer, which image, and whose containers are these.

Every container the grader starts carries labels naming the process that owns it (pid, its start
time, the host). A run that dies without cleaning up (SIGKILL, power loss; no Ryuk here) leaves a
container whose owner is gone: `prune()` finds and removes those, and every docker-backed start
calls it first.
"""

from __future__ import annotations

import functools
import os
import socket
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import psutil

from grader.errors import ServiceUnavailable
from grader.services import pull_memory
from grader.services.base import ServiceName

if TYPE_CHECKING:
    import docker
    from docker.models.containers import Container

LABEL = "org.backend-labs.grader"
LABEL_SERVICE = "org.backend-labs.service"
LABEL_OWNER_PID = "org.backend-labs.owner-pid"
LABEL_OWNER_CREATED = "org.backend-labs.owner-created"  # tells a recycled pid from the real owner
LABEL_OWNER_HOST = "org.backend-labs.owner-host"  # a shared (remote) engine: never judge other hosts' pids
LABEL_STARTED_AT = "org.backend-labs.started-at"

IMAGE_ENV: dict[ServiceName, str] = {
    "postgres": "GRADER_POSTGRES_IMAGE",
    "redis": "GRADER_REDIS_IMAGE",
    "mongodb": "GRADER_MONGODB_IMAGE",
}
DEFAULT_IMAGE: dict[ServiceName, str] = {"postgres": "postgres:16", "redis": "redis:7", "mongodb": "mongo:7"}
# What `make docker-images` builds, for machines that cannot reach an image registry.
LOCAL_STAND_IN: dict[ServiceName, str] = {
    "postgres": "backend-labs/postgres:15-local",
    "redis": "backend-labs/redis:7-local",
}
PING_TIMEOUT_S = 3.0
API_TIMEOUT_S = 300

NO_ENGINE_FIX = (
    "start Docker (Docker Desktop, `sudo systemctl start docker`, or as root: "
    "`setsid nohup dockerd >/tmp/dockerd.log 2>&1 &`), or use GRADER_BACKEND=local"
)


def image_for(service: ServiceName) -> str:
    return os.environ.get(IMAGE_ENV[service]) or DEFAULT_IMAGE[service]


def image_fix(service: ServiceName, image: str) -> str:
    """How to get an image: pull it, or build the local stand-ins where no registry is reachable."""
    stand_in = LOCAL_STAND_IN.get(service)
    local = (
        f"without a registry: `make docker-images` then export {IMAGE_ENV[service]}={stand_in}; "
        if stand_in
        else f"set {IMAGE_ENV[service]} to an image you have (`docker image ls`); "
    )
    return f"`docker pull {image}`; {local}or use GRADER_BACKEND=local"


@functools.cache
def client() -> docker.DockerClient:
    """One client per process; a ServiceUnavailable when no engine answers."""
    import docker

    try:
        probe = docker.from_env(timeout=int(PING_TIMEOUT_S))
        try:
            probe.ping()
        finally:
            probe.close()
        # A pull streams for minutes: only the ping gets the short timeout.
        return docker.from_env(timeout=API_TIMEOUT_S)
    except Exception as exc:
        raise ServiceUnavailable(f"no Docker engine answers ({reason(exc)})", NO_ENGINE_FIX) from None


@functools.cache
def engine_answers() -> bool:
    """A fast check (a ping with a short timeout), remembered for the rest of the process."""
    try:
        client()
    except ServiceUnavailable:
        return False
    return True


@functools.cache
def image_problem(image: str, announce: bool = True) -> str | None:
    """None when `image` is here or could be pulled now; else why not. Pulls at most once per process."""
    import docker.errors

    engine = client()
    try:
        engine.images.get(image)
        return None
    except docker.errors.ImageNotFound:
        pass
    except docker.errors.DockerException as exc:
        return reason(exc)
    if os.environ.get("GRADER_DOCKER_PULL") == "never":
        return "not on this machine, and GRADER_DOCKER_PULL=never forbids pulling it"
    failed = pull_memory.recent_failure(image)
    if failed is not None and os.environ.get("GRADER_DOCKER_PULL") != "always":
        return failed  # a pull that failed lately fails again: no "pulling…" line on every run
    if announce:
        print(f"grader: pulling Docker image {image} (first use only)…", file=sys.stderr, flush=True)
    try:
        engine.images.pull(image)
    except docker.errors.DockerException as exc:
        pull_memory.remember_failure(image, reason(exc))
        return f"not on this machine, and the pull failed: {reason(exc)}"
    pull_memory.forget(image)
    return None


def ensure_image(service: ServiceName, image: str) -> None:
    problem = image_problem(image)
    if problem is not None:
        raise ServiceUnavailable(
            f"Docker image '{image}' for {service} is not available: {problem}", image_fix(service, image)
        )


def reason(exc: BaseException) -> str:
    text = getattr(exc, "explanation", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())[:300]


@dataclass(frozen=True)
class Owner:
    pid: int
    created: str
    host: str


def _created(pid: int) -> str:
    return f"{psutil.Process(pid).create_time():.2f}"


def this_process() -> Owner:
    pid = os.getpid()
    return Owner(pid, _created(pid), socket.gethostname())


def labels(service: ServiceName) -> dict[str, str]:
    owner = this_process()
    return {
        LABEL: "1",
        LABEL_SERVICE: service,
        LABEL_OWNER_PID: str(owner.pid),
        LABEL_OWNER_CREATED: owner.created,
        LABEL_OWNER_HOST: owner.host,
        LABEL_STARTED_AT: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def owner_alive(container_labels: dict[str, str]) -> bool:
    """False only when we can tell the owner is gone: same host, and its pid is dead or recycled."""
    if container_labels.get(LABEL_OWNER_HOST) != socket.gethostname():
        return True
    try:
        pid = int(container_labels[LABEL_OWNER_PID])
        return _created(pid) == container_labels.get(LABEL_OWNER_CREATED)
    except (KeyError, ValueError):
        return True  # labels we did not write: not ours to judge
    except psutil.Error:
        return False


@dataclass(frozen=True)
class Leftover:
    short_id: str
    service: str
    owner_pid: str
    started_at: str


def grader_containers() -> list[Container]:
    """Every container (running or not) that carries the grader's label."""
    found: list[Container] = client().containers.list(
        all=True, filters={"label": f"{LABEL}=1"}
    )
    return found


def prune() -> list[Leftover]:
    """Remove grader containers whose owner process is gone; return what was removed."""
    import docker.errors

    removed = []
    for container in grader_containers():
        tags: dict[str, str] = container.labels
        if owner_alive(tags):
            continue
        try:
            container.remove(force=True, v=True)
        except docker.errors.NotFound:
            continue  # another process pruned it first
        removed.append(Leftover(container.short_id, tags.get(LABEL_SERVICE, "?"),
                                tags.get(LABEL_OWNER_PID, "?"), tags.get(LABEL_STARTED_AT, "?")))
    return removed


def remove_owned_by(pid: int) -> int:
    """Remove the containers a given (now dead) owner started, e.g. a keeper that had to be killed."""
    import docker.errors

    count = 0
    for container in grader_containers():
        if container.labels.get(LABEL_OWNER_PID) == str(pid) and container.labels.get(
            LABEL_OWNER_HOST
        ) == socket.gethostname():
            try:
                container.remove(force=True, v=True)
                count += 1
            except docker.errors.NotFound:
                continue
    return count
