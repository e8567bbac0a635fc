"""The worker process: imports the learner's module and answers calls, one JSON line each.

Protocol (stdin → stdout, one JSON object per line):
  request  {"module": "solution", "function": "top" (null: only import, and "prepare": the client
            libraries of these injections), "args": [...], "kwargs": {...},
            "inject": "redis"|["redis", "postgres"]|null, "crash_after_replies": n|null}
  response {"ok": true, "value": ...} or {"ok": false, "kind": "import"|"call"|"result", "message": "..."},
           preceded by {"imported": "solution"} the first time a module loaded
The learner's own prints go to stderr, so they cannot corrupt the protocol.
`inject` puts connected clients before the arguments, in the order named. `crash_after_replies`
gives this one call a Redis client that ends the process (exit CRASH_EXIT) once Redis has answered
n commands: a crash between two steps of the learner's code, at a point the check chooses.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
from types import ModuleType
from typing import Any

CRASH_EXIT = 70


def _learner_traceback(exc: BaseException, folder: str) -> str:
    """The exception with only the frames from the learner's own files."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith("<") and os.path.abspath(f.filename).startswith(folder)]  # not <frozen …>
    lines = [f'  File "{os.path.relpath(f.filename, folder)}", line {f.lineno}, in {f.name}' for f in frames]
    return "\n".join([*lines, f"{type(exc).__name__}: {exc}"]) + _advice(exc)


def _advice(exc: BaseException) -> str:
    """A note for errors a learner meets because the grader restricts them, so the refusal teaches."""
    if type(exc).__name__ == "NoPermissionError" and type(exc).__module__.startswith(("redis.", "valkey.")):
        if "channel" in str(exc).lower():
            return ("\nThe grader's Redis user may use only the channels the check gives your function (pub/sub "
                    "channels are shared by the whole server, with other grading runs): SUBSCRIBE or PUBLISH on "
                    "exactly the channel you were given, not a pattern (PSUBSCRIBE) or a channel of your own.")
        return (
            "\nThe grader's Redis user may not run the commands Redis marks @dangerous (KEYS, FLUSHDB, FLUSHALL, "
            "CONFIG, …): on a shared server they block every other client or wipe data. To visit keys, use SCAN "
            "(r.scan_iter(match=...)), which walks the keyspace a few keys per call without blocking the server. "
            "SCRIPT FLUSH and FUNCTION LOAD/DELETE/FLUSH are refused too: the script cache and functions belong "
            "to the whole server, shared with other grading runs; send scripts with EVAL/EVALSHA."
        )
    return ""


CLIENT_MODULES = {"redis": "redis", "postgres": "psycopg", "mongodb": "pymongo"}


def _client(kind: str) -> Any:
    if kind not in CLIENT_MODULES:
        raise ValueError(f"unknown injection '{kind}'")
    library = importlib.import_module(CLIENT_MODULES[kind])  # the one place that names each client's library
    if kind == "redis":
        return library.Redis.from_url(os.environ["GRADER_REDIS_URL"], decode_responses=True)
    if kind == "postgres":
        return library.connect(os.environ["GRADER_POSTGRES_URL"], autocommit=True)
    return library.MongoClient(os.environ["GRADER_MONGODB_URL"])[os.environ["GRADER_MONGODB_DB"]]


def _crashing_redis(replies: int) -> Any:
    """A Redis client whose process dies once `replies` answers (errors included) have been read."""
    import redis

    read = 0

    class DiesAfterReplies(redis.Connection):
        armed = False  # the handshake (AUTH, SELECT, CLIENT SETINFO) does not count

        def on_connect(self) -> None:  # redis-py before 6.2 runs the handshake here
            super().on_connect()  # type: ignore[no-untyped-call]
            self.armed = True

        def on_connect_check_health(self, *args: Any, **kwargs: Any) -> None:  # and later versions here
            super().on_connect_check_health(*args, **kwargs)
            self.armed = True

        def read_response(self, *args: Any, **kwargs: Any) -> Any:
            nonlocal read
            try:
                return super().read_response(*args, **kwargs)
            finally:
                if self.armed:
                    read += 1
                    if read >= replies:
                        os._exit(CRASH_EXIT)

    pool = redis.ConnectionPool.from_url(os.environ["GRADER_REDIS_URL"], decode_responses=True,
                                         connection_class=DiesAfterReplies)
    return redis.Redis(connection_pool=pool)


def _injected(request: dict[str, Any], clients: dict[str, Any]) -> list[Any]:
    kinds = request.get("inject") or []
    crash = request.get("crash_after_replies")
    injected = []
    for kind in [kinds] if isinstance(kinds, str) else kinds:
        if kind == "redis" and crash:
            injected.append(_crashing_redis(int(crash)))
            continue
        clients.setdefault(kind, _client(kind))
        injected.append(clients[kind])
    return injected


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
                protocol.write(json.dumps({"imported": request["module"]}) + "\n")  # a hang after this is the call's
        except BaseException as exc:  # a SyntaxError or anything at import time is the learner's to fix
            response = {"ok": False, "kind": "import", "message": _learner_traceback(exc, folder)}
            if isinstance(exc, SyntaxError):
                response["message"] = f"{exc.filename and os.path.basename(exc.filename)}, line {exc.lineno}: {exc.msg}"
            protocol.write(json.dumps(response) + "\n")
            continue
        if request["function"] is None:  # only import the module (Worker.ready) and the client libraries
            for kind in request.get("prepare") or []:  # imported, not connected: checks may count connections
                importlib.import_module(CLIENT_MODULES[kind])
            protocol.write(json.dumps({"ok": True, "value": None}) + "\n")
            continue
        function = getattr(module, request["function"], None)
        if not callable(function):
            missing = f"{request['module']}.py has no function {request['function']}()"
            response = {"ok": False, "kind": "call", "message": missing}
        else:
            try:
                args = [*_injected(request, clients), *request.get("args", [])]
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
