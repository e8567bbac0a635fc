"""The services of one grading run: reuse warm ones, start the rest once, stop what we started."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

from grader import stopped
from grader.errors import ServiceUnavailable
from grader.services import warm
from grader.services.base import ServiceBackend, ServiceName
from grader.services.select import choose, requested_backend
from grader.services.url_backend import UrlBackend


@dataclass(frozen=True)
class RunningService:
    service: ServiceName
    url: str
    description: str
    reused: bool


def _reusable(service: ServiceName) -> warm.WarmService | None:
    """A warm server, unless the user asked for another backend or named a URL."""
    choice = requested_backend(service)
    if choice == "url" or (choice == "auto" and UrlBackend.configured(service)):
        return None
    state = warm.read(service)
    if state is None or (choice != "auto" and state.backend != choice):
        return None
    return state


class ServicePool:
    """Starts each service on first use and shares it with every later lab of the run.

    A service that cannot be had is remembered as its error, so each lab that needs it ends as
    `error` with the same message instead of trying again.
    """

    def __init__(self) -> None:
        self._started: list[ServiceBackend] = []
        self._running: dict[ServiceName, RunningService] = {}
        self._failed: dict[ServiceName, ServiceUnavailable] = {}

    def get(self, service: ServiceName) -> RunningService:
        if service in self._running:
            return self._running[service]
        if service in self._failed:
            raise self._failed[service]
        try:
            self._running[service] = self._start(service)
        except ServiceUnavailable as exc:
            self._failed[service] = exc
            raise
        return self._running[service]

    def _start(self, service: ServiceName) -> RunningService:
        state = _reusable(service)
        if state is not None:
            description = f"{state.description} (warm, started by 'grader services up')"
            return RunningService(service, state.url, description, True)
        backend = choose(service)
        self._started.append(backend)
        backend.start()
        return RunningService(service, backend.url(), backend.describe(), False)

    def close(self) -> None:
        while self._started:
            backend = self._started.pop()
            backend.stop()
            if backend.backend != "url":  # a server named by URL is the user's: we stop nothing there
                stopped.record(f"{backend.service} server ({backend.describe()})")

    def __enter__(self) -> ServicePool:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
