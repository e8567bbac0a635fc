"""The per-lab resources a pytest session grades with: databases per variant, workers, leases.

Created lazily (a lab that never touches Redis leases no Redis db) and released at session end.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from grader import datasets
from grader.checks.problems import GraderFault
from grader.checks.sql import SqlChecker
from grader.context import RunContext
from grader.isolation.postgres import PostgresIsolation
from grader.isolation.redis import RedisLease
from grader.worker.client import Worker

if TYPE_CHECKING:
    from grader.checks.mongo import MongoChecker
    from grader.isolation.mongodb import Collections, MongoRun


class GradingSession:
    def __init__(self, context: RunContext) -> None:
        self.context = context
        self.root = Path(context.root)
        self._cleanup = ExitStack()
        self._pg: PostgresIsolation | None = None
        self._templates: dict[str, str | None] = {}
        self._databases: dict[str, str] = {}
        self._redis: dict[str, RedisLease] = {}
        self._workers: dict[tuple[str, str], Worker] = {}
        self._mongo_run: MongoRun | None = None
        self._mongo: dict[str, MongoChecker] = {}
        self._mongo_seed: dict[str, Collections] = {}
        self.touched_file: str | None = None

    def _service_url(self, service: str) -> str:
        url = self.context.services.get(service)
        if url is None:
            raise GraderFault(f"this lab uses {service} but lab.yaml does not list it under 'services:'")
        return url

    # PostgreSQL -----------------------------------------------------------------------------
    @property
    def pg(self) -> PostgresIsolation:
        if self._pg is None:
            self._pg = PostgresIsolation(self._service_url("postgres"))
            self._pg.ensure_learner_role()
        return self._pg

    def template(self, variant: str) -> str | None:
        if variant not in self._templates:
            name = self.context.dataset
            if name is None:
                self._templates[variant] = None
            else:
                module = datasets.load(name, self.root)
                seed = getattr(module, "postgres_sql", None)
                if seed is None:
                    raise GraderFault(f"dataset '{name}' has no postgres_sql(variant)")
                self._templates[variant] = self.pg.template(
                    name, variant, datasets.fingerprint(name, self.root), seed(variant)
                )
        return self._templates[variant]

    def database(self, variant: str) -> str:
        if variant not in self._databases:
            self._databases[variant] = self.new_database(variant)
        return self._databases[variant]

    def new_database(self, variant: str) -> str:
        name = self.pg.create_copy(self.template(variant))
        self._cleanup.callback(self.pg.drop, name)
        return name

    def sql(self, variant: str, database: str | None = None) -> SqlChecker:
        db = database or self.database(variant)
        return SqlChecker(
            learner_url=self.pg.learner_url(db, self.context.limits.statement_timeout_ms),
            admin_url=self.pg.admin_url_for(db),
            submission_dir=Path(self.context.submission_dir),
            reference_dir=Path(self.context.reference_dir) if self.context.reference_dir else None,
            timeout_ms=self.context.limits.statement_timeout_ms,
            reveal=variant == "public",
            fresh_copy=lambda: self.sql(variant, self.new_database(variant)),
            touched=self.touch,
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
    def worker(self, variant: str, source: str) -> Worker:
        key = (variant, source)
        if key not in self._workers:
            if source == "reference":
                if not self.context.reference_dir:
                    raise GraderFault("this check needs the reference solution (.meta/solution), which is absent")
                folder = Path(self.context.reference_dir)
            else:
                folder = Path(self.context.submission_dir)
            env: dict[str, str] = {}
            if "redis" in self.context.services:
                env["GRADER_REDIS_URL"] = self.redis(variant).learner_url()
            if "mongodb" in self.context.services:
                env.update(self.mongo_worker_env(variant))
            if "postgres" in self.context.services:
                db = self.database(variant)
                env["GRADER_POSTGRES_URL"] = self.pg.learner_url(db, self.context.limits.statement_timeout_ms)
            worker = Worker(folder, env, self.context.limits.worker_timeout_s)
            self._cleanup.callback(worker.close)
            self._workers[key] = worker
        return self._workers[key]

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
                self.context.limits.statement_timeout_ms, self.touch,
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
        return datasets.load(self.context.dataset, self.root)

    def close(self) -> None:
        self._cleanup.close()
