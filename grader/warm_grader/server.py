"""The warm grader process (`python -m grader.warm_grader.server`), started by `grader services up`.

It imports the heavy libraries once, then forks a child per command; the child takes the caller's
terminal (stdin, stdout, stderr passed over the socket), working folder and environment, and runs
the command exactly as `grader` would. Only the caller's own account may connect.
"""

from __future__ import annotations

import array
import contextlib
import json
import os
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from grader.warm_grader import protocol
from grader.warm_grader.client import INTERRUPT

MAX_REQUEST = 1 << 20
IDLE_PRUNE_S = 2.0  # after commands, leftovers are looked for once the server has been idle this long


def preload() -> None:
    """What every served command would import. grader.cli makes its consoles on first print, so a
    child's consoles still see the caller's terminal."""
    import click  # noqa: F401
    import pydantic  # noqa: F401
    import rich.console
    import rich.markdown
    import rich.table  # noqa: F401
    import yaml  # noqa: F401

    import grader.cli  # noqa: F401
    from grader import labs, launch, prove, results, runner  # noqa: F401
    from grader.render import formats, github, json_format, terminal  # noqa: F401
    from grader.services import session, warm  # noqa: F401

    launch.preload()


def serve(state: Path) -> None:
    preload()
    from grader import leftovers

    _sweep(leftovers.prune_once)  # here, and when idle after commands: so a forked command skips it
    path = protocol.socket_path(state)
    path.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_umask = os.umask(0o177)
    try:
        listener.bind(str(path))
    finally:
        os.umask(old_umask)
    listener.listen(16)
    info = {"pid": os.getpid(), "code": protocol.code_fingerprint(), "started_at": time.time()}
    protocol.info_path(state).write_text(json.dumps(info))

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    print(f"warm grader ready (pid {os.getpid()})", flush=True)
    listener.settimeout(IDLE_PRUNE_S)
    served_since_prune = False
    try:
        while True:
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                if served_since_prune:
                    _sweep(leftovers.prune_local)
                    served_since_prune = False
                continue
            connection.setblocking(True)
            if not _same_user(connection):
                connection.close()
                continue
            served_since_prune = True
            if os.fork() == 0:
                listener.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the command waits for its own children
                _run(connection)
            connection.close()
    finally:
        path.unlink(missing_ok=True)
        if protocol.read_info(state) is None or json.loads(protocol.info_path(state).read_text())["pid"] == os.getpid():
            protocol.info_path(state).unlink(missing_ok=True)


def _sweep(prune: Callable[[], list[str]]) -> None:
    """What killed runs left (sandboxes, server folders): looked for out of the commands' own time."""
    try:
        removed = prune()
    except Exception as exc:  # a failed sweep must not stop the server; the next one retries
        print(f"looking for leftovers failed: {type(exc).__name__}: {exc}", flush=True)
        return
    print("looked for leftovers: " + ("; ".join(removed) if removed else "none"), flush=True)


def _same_user(connection: socket.socket) -> bool:
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", credentials)
    return bool(uid == os.getuid())


def _run(connection: socket.socket) -> None:
    """In the forked child: become the caller's command; never returns."""
    code = 2
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.default_int_handler)
        request = _receive(connection)
        os.chdir(request.cwd)
        os.environ.clear()
        os.environ.update(request.env)
        threading.Thread(target=_pass_interrupts, args=(connection,), daemon=True).start()
        from grader.cli import main

        try:
            main(args=request.argv, prog_name="grader")
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException as exc:
        with contextlib.suppress(Exception):
            print(f"error: the warm grader could not run the command: {type(exc).__name__}: {exc}", file=sys.stderr)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # done: a late interrupt must not break the reply
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
            connection.sendall(f"{code}\n".encode())
        os._exit(code)


@dataclass(frozen=True)
class Request:
    argv: list[str]
    cwd: str
    env: dict[str, str]


def _receive(connection: socket.socket) -> Request:
    fd_size = array.array("i").itemsize * 3
    data, ancillary, _flags, _address = connection.recvmsg(MAX_REQUEST, socket.CMSG_SPACE(fd_size))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
            for target, fd in enumerate(fds[:3]):
                os.dup2(fd, target)
                os.close(fd)
    while not data.endswith(b"\n"):
        more = connection.recv(MAX_REQUEST)
        if not more:
            break
        data += more
    sys.stdin = os.fdopen(0, "r", closefd=False)
    sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
    sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
    fields = json.loads(data)
    environment = {str(k): str(v) for k, v in fields["env"].items()}
    return Request([str(a) for a in fields["argv"]], str(fields["cwd"]), environment)


def _pass_interrupts(connection: socket.socket) -> None:
    """The caller's Ctrl-C arrives as a byte on the socket; it becomes a KeyboardInterrupt here."""
    with contextlib.suppress(OSError):
        while True:
            data = connection.recv(16)
            if not data or INTERRUPT in data:  # an interrupt, or the caller is gone
                os.kill(os.getpid(), signal.SIGINT)
                return


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
