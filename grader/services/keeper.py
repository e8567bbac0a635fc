"""The process behind `grader services up`: starts one service, records it, stops it on SIGTERM."""

from __future__ import annotations

import signal
import sys
import time
from types import FrameType

from grader.errors import GraderError
from grader.services import warm
from grader.services.base import ServiceName
from grader.services.select import choose


def main(service: ServiceName) -> int:
    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        backend = choose(service)
    except GraderError as exc:  # no backend at all: the command that started us reports it, no traceback
        warm.write_failure(service, exc)
        return 2
    try:
        backend.start()
        warm.write(
            warm.WarmService(service, backend.backend, backend.describe(), backend.url(), _pid(), time.time())
        )
        print(f"{service} ready: {backend.describe()}", flush=True)
        while True:
            signal.pause()
    except GraderError as exc:
        print(exc, flush=True)
        warm.write_failure(service, exc)
        return 2
    finally:
        backend.stop()
        warm.state_file(service).unlink(missing_ok=True)


def _pid() -> int:
    import os

    return os.getpid()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))  # type: ignore[arg-type]
