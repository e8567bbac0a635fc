"""MongoDB isolation: every lab run seeds its own databases under fresh names and drops them afterwards.

On a real server each seeded database also gets its own user with `readWrite` on that database
only: learner Python (in a worker) connects as that user. On the emulator (mongomock) the client
lives in this process and there is no user to make.
"""

from __future__ import annotations

import contextlib
import copy
import re
import secrets
from typing import Any

from grader.checks.problems import GraderFault
from grader.isolation.urls import learner_password, with_database
from grader.services.emulated_mongo import is_emulated

Document = dict[str, Any]
Collections = dict[str, list[Document]]
MAX_NAME = 60  # MongoDB allows 63 bytes for a database name


def database_name(lab_id: str, variant: str, token: str, number: int) -> str:
    safe = re.sub(r"[^a-z0-9]", "_", lab_id.lower())
    suffix = f"_{variant[:3]}_{token}_{number}"
    return f"g_{safe}"[: MAX_NAME - len(suffix)] + suffix


def learner_url(admin_url: str, database: str, user: str | None, password: str | None) -> str:
    """The admin URL with the learner's credentials and default database; auth checked against that database."""
    if user is None:
        return with_database(admin_url, database)
    return with_database(admin_url, database, user, password, params={"authSource": database})


class MongoRun:
    """The databases of one grading run on one server; `close()` drops them and their users."""

    def __init__(self, admin_url: str, lab_id: str) -> None:
        self.admin_url = admin_url
        self.lab_id = lab_id
        self.emulated = is_emulated(admin_url)
        self.token = secrets.token_hex(4)
        self._count = 0
        self._databases: list[str] = []
        self._users: dict[str, tuple[str, str]] = {}
        self._learner_clients: dict[str, Any] = {}
        self.client: Any
        if self.emulated:
            import mongomock

            self.client = mongomock.MongoClient()
        else:
            import pymongo

            self.client = pymongo.MongoClient(admin_url, serverSelectionTimeoutMS=10_000)

    def seeded(self, variant: str, collections: Collections) -> Any:
        """A new database holding deep copies of `collections` (a pymongo or mongomock Database)."""
        self._count += 1
        name = database_name(self.lab_id, variant, self.token, self._count)
        database = self.client[name]
        self._databases.append(name)
        try:
            for collection, documents in collections.items():
                if documents:
                    database[collection].insert_many(copy.deepcopy(documents), ordered=True)
                else:
                    database.create_collection(collection)
        except Exception as exc:
            raise GraderFault(f"seeding MongoDB database {name} failed: {type(exc).__name__}: {exc}") from None
        return database

    def reseed(self, database: Any, collections: Collections) -> None:
        """Put a database back to its seed state (for checks that reuse one database)."""
        for collection in database.list_collection_names():
            database.drop_collection(collection)
        for collection, documents in collections.items():
            if documents:
                database[collection].insert_many(copy.deepcopy(documents), ordered=True)
            else:
                database.create_collection(collection)

    def learner_url_for(self, database: str) -> str:
        """A URL for learner Python: a user with readWrite on this database only."""
        if self.emulated:
            raise GraderFault("the MongoDB emulator has no server for learner code to connect to")
        if database not in self._users:
            user, password = f"learner_{database}"[:60], secrets.token_hex(12)
            try:
                self.client[database].command(
                    "createUser", user, pwd=password, roles=[{"role": "readWrite", "db": database}]
                )
            except Exception as exc:
                raise GraderFault(
                    f"cannot create the learner's MongoDB user on {database}: {exc}",
                ) from None
            self._users[database] = (user, password)
        user, password = self._users[database]
        return learner_url(self.admin_url, database, user, password)

    def learner_database(self, database: Any) -> Any:
        """The same database through a client logged in as its learner user (the emulator has no users).

        If the server refuses to create users (a managed server named by GRADER_MONGODB_URL whose
        user lacks that right), learner files run through the administrator client instead.
        """
        if self.emulated:
            return database
        name = database.name
        if name not in self._learner_clients:
            try:
                url = self.learner_url_for(name)
            except GraderFault:
                return database
            import pymongo

            self._learner_clients[name] = pymongo.MongoClient(url, serverSelectionTimeoutMS=10_000)
        return self._learner_clients[name][name]

    def close(self) -> None:
        for learner in self._learner_clients.values():
            learner.close()

        try:
            for database in self._databases:
                if database in self._users:
                    with contextlib.suppress(Exception):  # the database drop below is what matters
                        self.client[database].command("dropUser", self._users[database][0])
                self.client.drop_database(database)
        finally:
            self.client.close()


def playground(admin_url: str, name: str, collections: Collections, reset: bool) -> str:
    """The learner's own seeded database to explore (kept between commands unless `reset`); its URL.

    It has its own user with readWrite on that database only, like the grading databases.
    """

    import pymongo

    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(admin_url, serverSelectionTimeoutMS=10_000)
    try:
        exists = name in client.list_database_names()
        if exists and reset:
            client.drop_database(name)
        database = client[name]
        if not exists or reset:
            for collection, documents in collections.items():
                if documents:
                    database[collection].insert_many(copy.deepcopy(documents))
                else:
                    database.create_collection(collection)
        user = f"{name}_learner"
        password = learner_password(admin_url, f"playground:{name}")
        if database.command("usersInfo", user).get("users"):
            database.command("updateUser", user, pwd=password)
        else:
            database.command("createUser", user, pwd=password, roles=[{"role": "readWrite", "db": name}])
    finally:
        client.close()
    return learner_url(admin_url, name, user, password)
