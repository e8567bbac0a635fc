"""What every `local` backend shares: a server process this grader started, ready when it answers."""

from __future__ import annotations

from grader.errors import ServiceUnavailable
from grader.services.base import ServiceBackend
from grader.services.probes import answers
from grader.services.server_process import ServerProcess


class LocalServerBackend(ServiceBackend):
    """Subclasses start a ServerProcess in `start()`, then call `_wait_until_answering`; `url()` is theirs."""

    backend = "local"
    port = 0
    _process: ServerProcess | None = None

    def ready(self) -> bool:
        return self.port != 0 and answers(self.service, self.url())

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop()
            self._process = None

    def _wait_until_answering(self, problem: str) -> None:
        """An open port is not a ready server: poll a real request; if it never answers, stop the server
        and show the end of its log after `problem`."""
        assert self._process is not None, "start the ServerProcess first"
        if not self._process.wait_until(self.ready):
            tail = self._process.log_tail()
            self.stop()
            raise ServiceUnavailable(f"{problem}:\n{tail}", "see the log above")
