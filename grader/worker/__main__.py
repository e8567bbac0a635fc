"""The worker process: imports the learner's module and answers calls, one JSON line each.

Protocol (stdin → stdout, one JSON object per line):
  request  {"module": "solution", "function": "top", "args": [...], "kwargs": {...}, "inject": "redis"|null}
  response {"ok": true, "value": ...} or {"ok": false, "kind": "import"|"call"|"result", "message": "..."}
The learner's own prints go to stderr, so they cannot corrupt the protocol.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
from types import ModuleType
from typing import Any


def _learner_traceback(exc: BaseException, folder: str) -> str:
    """The exception with only the frames from the learner's own files."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if os.path.abspath(f.filename).startswith(folder)]
    lines = [f'  File "{os.path.relpath(f.filename, folder)}", line {f.lineno}, in {f.name}' for f in frames]
    return "\n".join([*lines, f"{type(exc).__name__}: {exc}"]) + _advice(exc)


def _advice(exc: BaseException) -> str:
    """A note for errors a learner meets because the grader restricts them, so the refusal teaches."""
    if type(exc).__name__ == "NoPermissionError" and type(exc).__module__.startswith(("redis.", "valkey.")):
        return (
            "\nThe grader's Redis user may not run the commands Redis marks @dangerous (KEYS, FLUSHDB, FLUSHALL, "
            "CONFIG, …): on a shared server they block every other client or wipe data. To visit keys, use SCAN "
            "(r.scan_iter(match=...)), which walks the keyspace a few keys per call without blocking the server."
        )
    return ""


def _client(kind: str) -> Any:
    if kind == "redis":
        import redis

        return redis.Redis.from_url(os.environ["GRADER_REDIS_URL"], decode_responses=True)
    if kind == "postgres":
        import psycopg

        return psycopg.connect(os.environ["GRADER_POSTGRES_URL"], autocommit=True)
    if kind == "mongodb":
        import pymongo

        return pymongo.MongoClient(os.environ["GRADER_MONGODB_URL"])[os.environ["GRADER_MONGODB_DB"]]
    raise ValueError(f"unknown injection '{kind}'")


def main() -> None:
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # learner prints land on stderr
    folder = os.path.abspath(os.getcwd())
    sys.path.insert(0, folder)
    modules: dict[str, ModuleType] = {}
    clients: dict[str, Any] = {}
    for line in sys.stdin:
        request = json.loads(line)
        response: dict[str, Any]
        try:
            module = modules.get(request["module"])
            if module is None:
                module = modules[request["module"]] = importlib.import_module(request["module"])
        except BaseException as exc:  # a SyntaxError or anything at import time is the learner's to fix
            response = {"ok": False, "kind": "import", "message": _learner_traceback(exc, folder)}
            if isinstance(exc, SyntaxError):
                response["message"] = f"{exc.filename and os.path.basename(exc.filename)}, line {exc.lineno}: {exc.msg}"
            protocol.write(json.dumps(response) + "\n")
            continue
        function = getattr(module, request["function"], None)
        if not callable(function):
            missing = f"{request['module']}.py has no function {request['function']}()"
            response = {"ok": False, "kind": "call", "message": missing}
        else:
            args = list(request.get("args", []))
            if request.get("inject"):
                kind = request["inject"]
                clients.setdefault(kind, _client(kind))
                args.insert(0, clients[kind])
            try:
                value = function(*args, **request.get("kwargs", {}))
                response = {"ok": True, "value": value}
                json.dumps(response)
            except TypeError as exc:
                if "JSON serializable" in str(exc):
                    problem = f"returned a value that is not plain data: {exc}"
                    response = {"ok": False, "kind": "result", "message": problem}
                else:
                    response = {"ok": False, "kind": "call", "message": _learner_traceback(exc, folder)}
            except BaseException as exc:
                response = {"ok": False, "kind": "call", "message": _learner_traceback(exc, folder)}
        protocol.write(json.dumps(response, default=str) + "\n")


if __name__ == "__main__":
    main()
