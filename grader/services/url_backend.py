"""The `url` backend: a server somebody else runs, named by GRADER_<SERVICE>_URL."""

from __future__ import annotations

import os

from grader.errors import ServiceUnavailable
from grader.services.base import ENV_URL, ServiceBackend, ServiceName
from grader.services.probes import answers


class UrlBackend(ServiceBackend):
    backend = "url"

    def __init__(self, service: ServiceName) -> None:
        self.service = service
        self.variable = ENV_URL[service]
        self._url = os.environ.get(self.variable, "")

    @staticmethod
    def configured(service: ServiceName) -> bool:
        return bool(os.environ.get(ENV_URL[service]))

    def start(self) -> None:
        if not self._url:
            raise ServiceUnavailable(f"{self.variable} is not set", f"export {self.variable}=<connection URL>")
        if not self.ready():
            raise ServiceUnavailable(
                f"{self.service} at {self.variable} does not answer",
                f"start that server, correct {self.variable}, or unset it to let the grader start one",
            )

    def ready(self) -> bool:
        return answers(self.service, self._url)

    def url(self) -> str:
        return self._url

    def stop(self) -> None:
        """Somebody else's server: nothing to stop."""

    def describe(self) -> str:
        return f"url ({self.variable})"
