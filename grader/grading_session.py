"""The per-lab resources a pytest session grades with: databases per variant, workers, leases.

Created lazily (a lab that never touches Redis leases no Redis db). The processes of a variant (workers,
contenders, apps, fault proxies) are released once its last check has run (the plugin runs one variant's
checks together), so a lab holds one variant's processes at a time; the rest is released at session end.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from grader import datasets
from grader.checks.contenders import WriteGate
from grader.checks.problems import GraderFault
from grader.checks.sql import SqlChecker
from grader.context import RunContext
from grader.isolation.pg_run import PostgresRun
from grader.isolation.redis import RedisLease
from grader.reference_record import ReferenceAnswers
from grader.sandbox import SandboxLimits, hide_course
from grader.worker.client import Worker

if TYPE_CHECKING:
    from grader.apps import AppDatabase, RunningApp
    from grader.apps.proxy import FaultProxy
    from grader.checks.mongo import MongoChecker
    from grader.isolation.mongodb import Collections, MongoRun


class GradingSession:
    def __init__(self, context: RunContext) -> None:
        self.context = context
        self.root = Path(context.root)
        self._cleanup = ExitStack()  # server-side resources: databases, leases; closed last
        self._processes: dict[str, ExitStack] = {}  # variant -> its processes, closed by release_variant
        self._release_error: BaseException | None = None
        self._pg: PostgresRun | None = None
        self._templates: dict[str, str | None] = {}
        self._databases: dict[str, str] = {}
        self._redis: dict[str, RedisLease] = {}
        self._workers: dict[tuple[str, str, tuple[str, ...]], Worker] = {}
        self._contenders: dict[str, list[Worker]] = {}
        self._mongo_run: MongoRun | None = None
        self._mongo: dict[str, MongoChecker] = {}
        self._mongo_seed: dict[str, Collections] = {}
        self._apps: dict[str, RunningApp] = {}
        self._proxies: dict[tuple[str, str], FaultProxy] = {}
        self.touched_file: str | None = None
        hide_course(self.course_paths())  # every learner process of this session starts without the course
        replay = context.answers == "replay" and context.answers_path is not None
        recorded = json.loads(Path(str(context.answers_path)).read_text()) if replay else None
        self.answers = ReferenceAnswers(context.answers, recorded)
        self.sql_timeouts: dict[str, str] = {}  # learner file -> its timeout message (fail fast afterwards)
        self.call_timeouts: dict[str, dict[str, str]] = {"submission": {}, "reference": {}}

    def _service_url(self, service: str) -> str:
        url = self.context.services.get(service)
        if url is None:
            raise GraderFault(f"this lab uses {service} but lab.yaml does not list it under 'services:'")
        return url

    # PostgreSQL -----------------------------------------------------------------------------
    @property
    def pg(self) -> PostgresRun:
        """The run's roles, databases and watchdog; closed last, after every worker and database user."""
        if self._pg is None:
            self._pg = PostgresRun(self._service_url("postgres"), self.context.limits.statement_timeout_ms)
            self._cleanup.callback(self._pg.close)
        return self._pg

    def template(self, variant: str) -> str | None:
        if variant not in self._templates:
            name = self.context.dataset
            if name is None:
                self._templates[variant] = None
            else:
                module = self.dataset()
                seed = getattr(module, "postgres_sql", None)
                if seed is None:
                    raise GraderFault(f"dataset '{name}' has no postgres_sql(variant)")
                self._templates[variant] = self.pg.iso.template(
                    name, variant, datasets.fingerprint(name, self.root, self.context.dataset_secret),
                    lambda: seed(variant),
                    datasets.extensions(module),
                )
        return self._templates[variant]

    def database(self, variant: str) -> str:
        if variant not in self._databases:
            self._databases[variant] = self.new_database(variant)
        return self._databases[variant]

    def new_database(self, variant: str) -> str:
        return self.pg.create_copy(self.template(variant))

    def _tainted(self, variant: str, database: str) -> None:
        """Learner SQL committed into a shared database: later checks get a fresh copy instead."""
        if self._databases.get(variant) == database:
            del self._databases[variant]

    def sql(self, variant: str, database: str | None = None) -> SqlChecker:
        db = database or self.database(variant)
        return SqlChecker(
            learner_url=self.pg.learner_url(db),
            admin_url=self.pg.admin_url(db),
            submission_dir=Path(self.context.submission_dir),
            reference_dir=Path(self.context.reference_dir) if self.context.reference_dir else None,
            timeout_ms=self.context.limits.statement_timeout_ms,
            reveal=variant == "public",
            answers=self.answers,
            fresh_copy=lambda: self.sql(variant, self.new_database(variant)),
            touched=self.touch,
            reference_url=self.pg.reference_url(db),
            tainted=lambda: self._tainted(variant, db),
            timeouts=self.sql_timeouts,
            repair=self.pg.repair,
        )

    def touch(self, rel: str) -> None:
        self.touched_file = rel

    # Redis ----------------------------------------------------------------------------------
    def redis(self, variant: str) -> RedisLease:
        if variant not in self._redis:
            lease = RedisLease(self._service_url("redis"))
            self._cleanup.callback(lease.close)
            self._redis[variant] = lease
        return self._redis[variant]

    # Learner Python -------------------------------------------------------------------------
    def worker(self, variant: str, source: str, proxied: Sequence[str] = ()) -> Worker:
        """The variant's worker on `source`, kept for the run; `proxied` services through the proxy."""
        key = (variant, source, tuple(proxied))
        if key not in self._workers:
            self._workers[key] = self.new_worker(variant, source, proxied)
        return self._workers[key]

    def start_workers(self, needed: Sequence[tuple[str, str]]) -> None:
        """Start the workers the checks will ask for, side by side, before the first check, each importing
        the module and the client libraries while the checks set up: a Python start and those imports
        otherwise came one after another inside the checks. A worker that cannot start, or whose import
        fails, is left to the check that asks for it, which reports why in its own result."""
        for variant, source in needed:
            with contextlib.suppress(Exception):
                self.worker(variant, source).start_importing()

    def contenders(self, variant: str, count: int) -> list[Worker]:
        """`count` separate worker processes of the submission, for calls that must run at the same time."""
        pool = self._contenders.setdefault(variant, [])
        fresh = [self.new_worker(variant, "submission") for _ in range(count - len(pool))]
        pool.extend(fresh)  # kept (and closed with the run) even if one cannot import the module
        for worker in fresh:  # the interpreters start side by side …
            worker.start()
        for worker in fresh:  # … and each has imported the module before any timed call is made
            worker.ready()
        return pool[:count]

    def write_gate(self, variant: str) -> WriteGate:
        lease = self.redis(variant)
        return WriteGate(lease.admin, lease.db, lease.user)

    def new_worker(self, variant: str, source: str = "submission", proxied: Sequence[str] = (),
                   database: str | None = None) -> Worker:
        """Another worker process on the same module, in a sandbox of its own (checks that run several
        at once, or kill one); `proxied` services are reached through the variant's fault proxy;
        `database`: another copy of the variant's database than the shared one (new_database)."""
        if source == "reference":
            if not self.context.reference_dir:
                raise GraderFault("this check needs the reference solution (.meta/solution), which is absent "
                                  "(a student edition records answers, not a running reference)")
            folder = Path(self.context.reference_dir)
        else:
            folder = Path(self.context.submission_dir)
        env: dict[str, str] = {}
        if "redis" in self.context.services:
            env["GRADER_REDIS_URL"] = self.redis(variant).learner_url()
        if "mongodb" in self.context.services:
            env.update(self.mongo_worker_env(variant))
        if "postgres" in self.context.services:
            db = database or self.database(variant)
            role = self.pg.reference_url if source == "reference" else self.pg.learner_url
            env["GRADER_POSTGRES_URL"] = role(db)
        for service in proxied:
            key = f"GRADER_{service.upper()}_URL"
            if key not in env:
                raise GraderFault(f"cannot proxy {service}: lab.yaml does not list it under 'services:'")
            env[key] = self.proxy(variant, service).url_for(env[key])
        worker = Worker(folder, env, self.context.limits.worker_timeout_s, limits=self.sandbox_limits(),
                        timeouts=self.call_timeouts[source],
                        prepare=[s for s in ("redis", "postgres", "mongodb") if s in self.context.services])
        self._owned_by(variant).callback(worker.close)
        return worker

    # The nemesis on the wire (grader/apps/proxy.py) -----------------------------------------
    def proxy(self, variant: str, service: str) -> FaultProxy:
        """The variant's fault proxy in front of `service` (started on first use, closed at the end)."""
        key = (variant, service)
        if key not in self._proxies:
            from grader.apps.proxy import FaultProxy

            self._proxies[key] = FaultProxy.for_url(self._service_url(service), service)
            self._owned_by(variant).callback(self._proxies[key].close)
        return self._proxies[key]

    def proxies_of(self, variant: str) -> list[FaultProxy]:
        return [proxy for (of, _), proxy in self._proxies.items() if of == variant]

    def sandbox_limits(self) -> SandboxLimits:
        limits = self.context.limits
        return SandboxLimits(memory_mb=limits.memory_mb, processes=limits.processes)

    def course_paths(self) -> list[Path]:
        """What a learner process must not see: the course (tests, references, datasets) and the
        grader's state. Hidden in the sandbox's own view of the file system (when root)."""
        paths = [self.root / "labs", self.root / ".grader", Path(self.context.lab_dir)]
        if self.context.reference_dir:
            paths.append(Path(self.context.reference_dir))
        return list(dict.fromkeys(paths))

    # Learner web services (grader/apps) -----------------------------------------------------
    def app(self, variant: str) -> RunningApp:
        """The variant's app, started on first use (after its database, so it is stopped first)."""
        if variant not in self._apps:
            from grader.apps.for_run import app_for

            self._apps[variant] = app_for(self, variant)
            self._owned_by(variant).callback(self._apps[variant].close)
        return self._apps[variant].ensure_running()

    def app_database(self, variant: str, name: str | None = None) -> AppDatabase:
        """The variant's database behind the app (or the copy `name`), on the grader's side."""
        from grader.apps.for_run import database_for

        return database_for(self, variant, name)

    # MongoDB --------------------------------------------------------------------------------
    @property
    def mongo_emulated(self) -> bool:
        """True when this run's MongoDB is the labelled emulator (GRADER_MONGODB_BACKEND=emulated)."""
        from grader.services.emulated_mongo import is_emulated

        return is_emulated(self.context.services.get("mongodb", ""))

    @property
    def mongo_run(self) -> MongoRun:
        if self._mongo_run is None:
            from grader.isolation.mongodb import MongoRun

            self._mongo_run = MongoRun(self._service_url("mongodb"), self.context.lab_id)
            self._cleanup.callback(self._mongo_run.close)
        return self._mongo_run

    def mongo_seed(self, variant: str) -> Collections:
        if variant not in self._mongo_seed:
            seed = getattr(self.dataset(), "mongo_collections", None)
            if seed is None:
                raise GraderFault(f"dataset '{self.context.dataset}' has no mongo_collections(variant)")
            self._mongo_seed[variant] = seed(variant)
        return self._mongo_seed[variant]

    def mongo(self, variant: str) -> MongoChecker:
        """The variant's seeded database with the helpers that run and compare learner files."""
        if variant not in self._mongo:
            from grader.checks.mongo import MongoChecker

            self._mongo[variant] = MongoChecker(
                self.mongo_run, variant, self.mongo_seed(variant), Path(self.context.submission_dir),
                Path(self.context.reference_dir) if self.context.reference_dir else None,
                self.context.limits.statement_timeout_ms, self.touch, self.answers,
            )
        return self._mongo[variant]

    def mongo_worker_env(self, variant: str) -> dict[str, str]:
        """Learner Python reaches MongoDB as the run database's own user; the emulator cannot serve it."""
        if self.mongo_emulated:
            from grader.services.emulated_mongo import MISSING_FEATURES, NOT_ON_EMULATOR

            raise GraderFault(f"{NOT_ON_EMULATOR}: this check needs {MISSING_FEATURES['python_worker']}")
        database = self.mongo(variant).db.name
        return {"GRADER_MONGODB_URL": self.mongo_run.learner_url_for(database), "GRADER_MONGODB_DB": database}

    def dataset(self) -> ModuleType:
        if self.context.dataset is None:
            raise GraderFault("this check needs a dataset but lab.yaml names none")
        return datasets.load(self.context.dataset, self.root, self.context.dataset_secret)

    def check_seed(self, variant: str) -> int:
        """The seed for checks that generate their own data; the hidden one sealed by a bundle's secret."""
        if variant == "hidden" and self.context.dataset_secret:  # one of a million, never 1 or 2: checks format
            # and multiply it (ids, offsets, ISBN digits), which a 64-bit number would overflow
            return 3 + datasets.derived_seed(self.context.dataset_secret, f"checks:{self.context.lab_id}") % 1_000_000
        return {"public": 1, "hidden": 2}[variant]

    # Release ----------------------------------------------------------------------------------
    def _owned_by(self, variant: str) -> ExitStack:
        return self._processes.setdefault(variant, ExitStack())

    def release_variant(self, variant: str) -> None:
        """Stop the variant's processes (its last check has run); a later check of it would start new ones.
        A failure to stop one is kept for close(), which raises it after the rest of the cleanup."""
        stack = self._processes.pop(variant, None)
        self._workers = {key: worker for key, worker in self._workers.items() if key[0] != variant}
        self._contenders.pop(variant, None)
        self._apps.pop(variant, None)
        self._proxies = {key: proxy for key, proxy in self._proxies.items() if key[0] != variant}
        if stack is None:
            return
        try:
            stack.close()
        except Exception as error:  # re-raised by close(), after the other variants' cleanup
            self._release_error = self._release_error or error

    def close(self) -> None:
        try:
            for variant in list(self._processes):  # the users of the databases and leases first
                self.release_variant(variant)
            self._cleanup.close()
            if self._release_error is not None:
                raise self._release_error
        finally:
            if self.context.answers == "record" and self.context.answers_path:
                Path(self.context.answers_path).write_text(json.dumps(self.answers.entries))
