"""Building a variant's app from a grading run: its submission folder, its database and Redis
with the learner's credentials, the sandbox limits and the course paths it must not see."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from grader.apps.database import AppDatabase
from grader.apps.running import RunningApp
from grader.checks.problems import GraderFault

if TYPE_CHECKING:
    from grader.grading_session import GradingSession


def dataset_env(grading: GradingSession, variant: str) -> dict[str, str]:
    """Per-variant settings the dataset's generator hands the app (`app_env(variant)`): signing keys,
    allowed origins, limits. They differ between variants like the data does, so the hidden variant's
    secrets are not the public ones; checks read the same values through the `dataset` fixture."""
    if grading.context.dataset is None:
        return {}
    provide = getattr(grading.dataset(), "app_env", None)
    if provide is None:
        return {}
    env = provide(variant)
    if not isinstance(env, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in env.items()):
        raise GraderFault(f"dataset '{grading.context.dataset}': app_env(variant) must return a dict of str to str")
    return env


def app_for(grading: GradingSession, variant: str) -> RunningApp:
    context = grading.context
    if context.app is None:
        raise GraderFault("this check needs the learner's app, but lab.yaml has no 'app:' section")
    database_url = redis_url = None
    if "postgres" in context.services:
        database_url = grading.pg.learner_url(grading.database(variant))
    if "redis" in context.services:
        redis_url = grading.redis(variant).learner_url()
    spec = context.app
    extra = dataset_env(grading, variant)
    if extra:
        spec = spec.model_copy(update={"env": {**extra, **spec.env}})
    if "postgres" in spec.proxied and database_url is not None:
        database_url = grading.proxy(variant, "postgres").url_for(database_url)
    if "redis" in spec.proxied and redis_url is not None:
        redis_url = grading.proxy(variant, "redis").url_for(redis_url)
    return RunningApp(spec, Path(context.submission_dir), database_url, redis_url,
                      grading.sandbox_limits(), grading.course_paths(), reveal=variant == "public")


def database_for(grading: GradingSession, variant: str, name: str | None = None) -> AppDatabase:
    name = name or grading.database(variant)
    return AppDatabase(grading.pg.checks_url(name), name, grading.pg.iso.admin_url, grading.pg.learner.name)
