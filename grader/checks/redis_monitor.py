"""The commands Redis executed for one database while a check ran, read from the server with MONITOR.

What a learner's code sent is judged by what the server saw, not by what the code says: the order of
commands, whether a step ran inside a Lua script (source `lua`) or a MULTI/EXEC transaction, how many
commands one call needed. MONITOR streams every executed command of the server, in execution order;
a sentinel (an ECHO on database 0) marks the end, so the list is complete when the block ends.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import redis

from grader.checks.problems import GraderFault
from grader.isolation.redis import RedisLease
from grader.isolation.urls import with_database

STOP_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Seen:
    name: str  # the command, upper case: "GET", "EVALSHA", "DEL"
    args: tuple[str, ...]
    from_script: bool  # run by a Lua script rather than sent by a client
    client: str  # "host:port" of the connection that sent it ("lua" for script commands)


@contextmanager
def commands_seen(lease: RedisLease) -> Iterator[list[Seen]]:
    """Collect the commands executed on `lease`'s database during the block (the list fills at its end)."""
    seen: list[Seen] = []
    sentinel = f"grader-monitor-{secrets.token_hex(6)}"
    client = redis.Redis.from_url(with_database(lease.admin_url, "0"), decode_responses=True)
    failure: list[BaseException] = []
    try:
        monitor = client.monitor()  # type: ignore[no-untyped-call]
        monitor.__enter__()
        reader = threading.Thread(target=_read, args=(monitor, lease.db, sentinel, seen, failure), daemon=True)
        reader.start()
        try:
            yield seen
        finally:
            lease.admin.echo(sentinel)
            reader.join(STOP_TIMEOUT_S)
            monitor.__exit__(None, None, None)
        if reader.is_alive() or failure:
            reason = failure[0] if failure else "timeout"
            raise GraderFault(f"reading the commands Redis executed (MONITOR) failed: {reason}")
    finally:
        client.close()


def _read(monitor: redis.client.Monitor, db: int, sentinel: str, seen: list[Seen],
          failure: list[BaseException]) -> None:
    collected: list[Seen] = []
    try:
        while True:
            entry = monitor.next_command()  # type: ignore[no-untyped-call]
            words = str(entry["command"]).split(" ")
            if words[0].upper() == "ECHO" and sentinel in words:
                break
            if int(entry["db"]) != db:
                continue
            source = str(entry.get("client_type", ""))
            address = f"{entry.get('client_address', '')}:{entry.get('client_port', '')}"
            collected.append(Seen(words[0].upper(), tuple(words[1:]), source == "lua", address))
    except BaseException as exc:  # handed to the check's thread, which raises it as a grader fault
        failure.append(exc)
    seen.extend(collected)
