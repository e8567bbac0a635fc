"""The `docker` backend: each service in a container from testcontainers' maintained modules.

Ports are published on 127.0.0.1 only (Docker picks a free one, so two runs never clash) and the
URL says 127.0.0.1, whatever testcontainers' connection mode would guess. Readiness is a real
request from here (the same probe every backend uses), polled every 0.1 s, failing fast with the
container's last log lines when the container exits; testcontainers' own checks then run once.
"""

from __future__ import annotations

import abc
import contextlib
import os
import secrets
import time
from typing import ClassVar

from testcontainers.community.mongodb import MongoDbContainer
from testcontainers.community.postgres import PostgresContainer
from testcontainers.community.redis import RedisContainer
from testcontainers.core.container import DockerContainer
from testcontainers.core.waiting_utils import WaitStrategy, WaitStrategyTarget

from grader.errors import ServiceUnavailable, UsageError
from grader.services import docker_engine
from grader.services.base import ServiceBackend, ServiceName
from grader.services.postgres import SERVER_SETTINGS
from grader.services.probes import answers
from grader.services.redis import DATABASES

LOOPBACK = "127.0.0.1"
DEFAULT_START_TIMEOUT_S = 90.0
LOG_LINES = 15


class ContainerExited(Exception):
    """The container stopped before its server answered (a bad image, a bad option, a full disk)."""


class _Loopback(DockerContainer):
    """Publishes every exposed port on 127.0.0.1 only, and reports that address."""

    def publish_on_loopback(self) -> None:
        for port in list(self.ports):
            # docker-py accepts (host_ip, None): this address, a free port chosen by Docker.
            self.ports[port] = (LOOPBACK, None)  # type: ignore[assignment]

    def get_container_host_ip(self) -> str:
        return LOOPBACK

    def get_exposed_port(self, port: int) -> int:
        return int(self.get_docker_client().port(self.get_container_id(), port))


class _Postgres(_Loopback, PostgresContainer):
    pass


class _Redis(_Loopback, RedisContainer):
    pass


class _Mongo(_Loopback, MongoDbContainer):
    def _configure(self) -> None:
        """No root user: with one, the image turns on auth, and a replica set with auth needs a key file."""


class _ServerAnswers(WaitStrategy):
    """Ready when the server answers a real request from this machine; fails fast if the container exits."""

    def __init__(self, backend: DockerBackend) -> None:
        super().__init__()
        self.backend = backend
        self.timeout_s = start_timeout()
        self.with_poll_interval(0.1)

    def wait_until_ready(self, container: WaitStrategyTarget) -> None:
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            container.reload()
            if container.status in ("exited", "dead"):
                raise ContainerExited(f"the container exited ({container.status}) before the server answered")
            if container.status == "running" and self._answers():
                return
            time.sleep(self._poll_interval)
        raise TimeoutError(f"the server did not answer within {self.timeout_s:g} s")

    def _answers(self) -> bool:
        try:
            url = self.backend.url()
        except Exception:
            return False  # the port is not published yet
        return answers(self.backend.service, url, timeout_s=1.0)


def start_timeout() -> float:
    """GRADER_DOCKER_START_TIMEOUT seconds (default 90): how long a container may take to answer."""
    value = os.environ.get("GRADER_DOCKER_START_TIMEOUT", "")
    try:
        seconds = float(value) if value else DEFAULT_START_TIMEOUT_S
    except ValueError:
        seconds = -1.0
    if seconds <= 0:
        raise UsageError(f"GRADER_DOCKER_START_TIMEOUT={value!r} is not a positive number of seconds",
                         f"unset it (default {DEFAULT_START_TIMEOUT_S:g}) or set e.g. GRADER_DOCKER_START_TIMEOUT=180")
    return seconds


def _ryuk_only_if_available() -> None:
    """testcontainers' reaper (Ryuk) when its image can be had; else our labels and prune do its job."""
    from testcontainers.core.config import testcontainers_config

    if not testcontainers_config.ryuk_disabled and docker_engine.image_problem(testcontainers_config.ryuk_image, False):
        testcontainers_config.ryuk_disabled = True


class DockerBackend(ServiceBackend):
    """One labelled container per service, removed by stop(); see docker_engine for the labels."""

    backend = "docker"
    internal_port: ClassVar[int]

    def __init__(self, service: ServiceName) -> None:
        self.service = service
        self.image = docker_engine.image_for(service)
        self.password = secrets.token_hex(12)
        self._container: _Loopback | None = None

    @abc.abstractmethod
    def _container_for(self) -> _Loopback:
        """The testcontainers object, configured but not started."""

    @abc.abstractmethod
    def _url(self, port: int) -> str:
        """The administrator URL for the published port."""

    def start(self) -> None:
        docker_engine.client()  # a clear error when no engine answers
        start_timeout()  # a bad value is a usage error before anything starts
        with contextlib.suppress(Exception):  # best effort: a failed clean-up must not block grading
            docker_engine.prune()
        docker_engine.ensure_image(self.service, self.image)
        _ryuk_only_if_available()
        container = self._container_for()
        container.publish_on_loopback()
        container.waiting_for(_ServerAnswers(self))
        self._container = container
        try:
            container.start()
            self._after_start()
        except BaseException as exc:
            tail = self._log_tail()
            self.stop()
            if not isinstance(exc, Exception):
                raise  # Ctrl-C or SystemExit: the container is gone, let it unwind
            raise ServiceUnavailable(
                f"the {self.service} container ({self.image}) did not start: {docker_engine.reason(exc)}\n"
                f"--- last {LOG_LINES} log lines of the container ---\n{tail}",
                self._hint(exc),
            ) from None

    def _after_start(self) -> None:
        """Set-up the server needs once it answers (MongoDB: its replica set)."""

    def _hint(self, exc: Exception) -> str:
        text = str(exc).lower()
        if "port is already allocated" in text or "address already in use" in text:
            return "a port clash: another process holds the port; stop it or run `grader services prune`"
        if isinstance(exc, ContainerExited):
            return (f"the image's server stopped (see its log above); check that {self.image} is a "
                    f"{self.service} image ({docker_engine.IMAGE_ENV[self.service]}) and that the disk is not full")
        if isinstance(exc, TimeoutError):
            return ("the server was too slow to start (a busy machine?); raise GRADER_DOCKER_START_TIMEOUT "
                    f"(now {start_timeout():g} s) or use GRADER_BACKEND=local")
        return "see the container log above; `docker info` shows whether the engine is healthy"

    def _log_tail(self) -> str:
        if self._container is None:
            return "(no container was created)"
        try:
            raw: bytes = self._container.get_wrapped_container().logs(tail=LOG_LINES)
        except Exception as exc:
            return f"(no logs: {docker_engine.reason(exc)})"
        return raw.decode(errors="replace").rstrip() or "(the container logged nothing)"

    def ready(self) -> bool:
        return self._container is not None and answers(self.service, self.url())

    def url(self) -> str:
        if self._container is None:
            return ""
        return self._url(self._container.get_exposed_port(self.internal_port))

    def stop(self) -> None:
        """Remove the container (forcefully: a polite stop would wait for PostgreSQL's clients)."""
        container, self._container = self._container, None
        if container is None:
            return
        # Already gone (removed by hand, engine restarted)? Fine: its owner label lets prune catch strays.
        with contextlib.suppress(Exception):
            container.stop(force=True, delete_volume=True)

    def container_id(self) -> str:
        return self._container.get_container_id() if self._container else ""

    def describe(self) -> str:
        return f"docker, {self.image}, container {self.container_id()[:12] or '-'}"


class DockerPostgres(DockerBackend):
    internal_port = 5432

    def __init__(self) -> None:
        super().__init__("postgres")

    def _container_for(self) -> _Loopback:
        container = _Postgres(
            self.image, port=self.internal_port, username="postgres", password=self.password, dbname="postgres",
            driver=None, labels=docker_engine.labels(self.service),
        )
        # Grading databases are throw-away copies: skip durability, like the local backend, and keep the
        # cluster in memory (measured: start-to-ready 1.4 s instead of 2.3 s on a busy 2-core machine).
        container.with_env("POSTGRES_INITDB_ARGS", "--no-sync")
        container.with_tmpfs_mount("/var/lib/postgresql/data")
        container.with_command(["postgres", *(arg for s in SERVER_SETTINGS for arg in ("-c", s))])
        return container

    def _url(self, port: int) -> str:
        return f"postgresql://postgres:{self.password}@{LOOPBACK}:{port}/postgres"


class DockerRedis(DockerBackend):
    internal_port = 6379

    def __init__(self) -> None:
        super().__init__("redis")

    def _container_for(self) -> _Loopback:
        container = _Redis(self.image, port=self.internal_port, password=self.password,
                           labels=docker_engine.labels(self.service))
        container.with_command(["redis-server", "--requirepass", self.password, "--databases", str(DATABASES),
                                "--save", "", "--appendonly", "no"])
        return container

    def _url(self, port: int) -> str:
        return f"redis://:{self.password}@{LOOPBACK}:{port}/0"


class DockerMongo(DockerBackend):
    """mongod as a one-node replica set `rs0` (transactions need one), like the local backend.

    Without auth, like the local backend: the port is on 127.0.0.1 only. Clients connect directly
    (the member's own address, 127.0.0.1:27017 inside the container, is not the published port).
    """

    internal_port = 27017

    def __init__(self) -> None:
        super().__init__("mongodb")

    def _container_for(self) -> _Loopback:
        container = _Mongo(self.image, port=self.internal_port, labels=docker_engine.labels(self.service))
        container.with_command(["mongod", "--replSet", "rs0", "--bind_ip_all", "--wiredTigerCacheSizeGB", "0.25",
                                "--setParameter", "diagnosticDataCollectionEnabled=false"])
        return container

    def _after_start(self) -> None:
        from grader.services.mongodb import initiate_replica_set

        initiate_replica_set(self.url(), self.internal_port)

    def _url(self, port: int) -> str:
        return f"mongodb://{LOOPBACK}:{port}/?directConnection=true"


def docker_backend(service: ServiceName) -> DockerBackend:
    """The docker backend for `service` (not started)."""
    if service == "postgres":
        return DockerPostgres()
    if service == "redis":
        return DockerRedis()
    return DockerMongo()


def for_auto(service: ServiceName) -> DockerBackend | None:
    """The docker backend if its image is here or can be pulled; else None after a one-line notice."""
    image = docker_engine.image_for(service)
    problem = docker_engine.image_problem(image)
    if problem is None:
        return docker_backend(service)
    import sys

    print(
        f"grader: Docker answers but image {image} is not available ({problem}); using the local {service} "
        f"backend. For Docker: {docker_engine.image_fix(service, image)}",
        file=sys.stderr,
        flush=True,
    )
    return None
