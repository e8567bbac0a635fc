"""The `emulated` MongoDB backend: mongomock, an explicit and labelled opt-in, never chosen by auto.

mongomock lives inside one Python process, so there is no server: the "URL" only tells the check
process to build its own in-memory client. Learner Python in a worker subprocess cannot see that
data, so checks that need a worker, and checks that need what mongomock lacks, end as `error`.
"""

from __future__ import annotations

from grader.errors import ServiceUnavailable
from grader.services.base import ServiceBackend

EMULATED_URL = "mongomock://in-process"
DESCRIPTION = (
    "emulated: mongomock inside the grader process, NOT a real MongoDB server "
    "(GRADER_MONGODB_BACKEND=emulated); results are a preview, final grading uses a real server"
)
BANNER = (
    "MongoDB checks ran on an EMULATOR (mongomock, GRADER_MONGODB_BACKEND=emulated), not on a real MongoDB "
    "server. Treat the result as a preview: final grading uses a real server. Checks that need explain plans, "
    "$jsonSchema validation, transactions or your Python code end as 'error' on the emulator."
)
NOT_ON_EMULATOR = "not run on the MongoDB emulator"
PASSED_ON_EMULATOR = "passed on the MongoDB emulator (mongomock), not a real server: final grading uses a real one"
# What mongomock does not implement, by the feature names labs use in lab.yaml `requires_features`.
MISSING_FEATURES = {
    "explain": "explain plans (mongomock has no query planner)",
    "schema_validation": "$jsonSchema validation (mongomock ignores collection validators)",
    "transactions": "sessions and multi-document transactions",
    "python_worker": "your Python code, which runs in a separate process that cannot see mongomock's in-process data",
}


def is_emulated(url: str) -> bool:
    return url.startswith("mongomock://")


def uses_emulator(services: list[str]) -> bool:
    """True when a lab result's service descriptions show the emulator (for banners)."""
    return any(entry.startswith("mongodb: emulated") for entry in services)


class EmulatedMongo(ServiceBackend):
    service = "mongodb"
    backend = "emulated"

    def start(self) -> None:
        """Nothing to start: each check process builds its own in-memory client."""
        try:
            import mongomock  # noqa: F401
        except ImportError:
            raise ServiceUnavailable(
                "the emulated MongoDB backend needs the mongomock package", "pip install -e . (make setup does)"
            ) from None

    def ready(self) -> bool:
        return True

    def url(self) -> str:
        return EMULATED_URL

    def stop(self) -> None:
        """Nothing was started."""

    def describe(self) -> str:
        return DESCRIPTION


def refused_on_emulator(message: str) -> bool:
    """A check the emulator refused to run: never a pass, never the learner's failure."""
    return NOT_ON_EMULATOR in message


def emulated_proof(statuses: list[tuple[str, str]], expect_full: bool) -> bool | None:
    """Prove a lab case from the checks that could run on the emulator.

    `statuses` holds (status, message) per check. True: proven (as strict as on a real server for
    every check that ran); False: disproven; None: only real-server checks could tell.
    """
    ran = [status for status, message in statuses if not (status == "error" and refused_on_emulator(message))]
    if not ran or "error" in ran:
        return False
    if expect_full:
        return all(status == "pass" for status in ran)
    return True if any(status == "fail" for status in ran) else None
