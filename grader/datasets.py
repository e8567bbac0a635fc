"""Seed data: `labs/datasets/<name>/generator.py`, loaded by path, one output per variant.

A generator module offers `postgres_sql(variant) -> str` and/or `redis_commands(variant)` and
`mongo_collections(variant)`. The fingerprint changes whenever the generator's code changes, so
seeded templates on long-running servers are rebuilt exactly when they must be.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from grader.errors import SpecError
from grader.paths import labs_dir

VARIANTS = ("public", "hidden")


def folder(name: str, root: Path | None = None) -> Path:
    return labs_dir(root) / "datasets" / name


def load(name: str, root: Path | None = None) -> ModuleType:
    path = folder(name, root) / "generator.py"
    if not path.is_file():
        raise SpecError(f"dataset '{name}' has no generator at {path}", "correct 'dataset:' in lab.yaml")
    module_name = f"grader_dataset_{name.replace('-', '_')}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def fingerprint(name: str, root: Path | None = None) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder(name, root).rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
