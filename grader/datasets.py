"""Seed data: `labs/datasets/<name>/generator.py`, loaded by path, one output per variant.

A generator module offers `postgres_sql(variant) -> str` and/or `redis_commands(variant)` and
`mongo_collections(variant)`; `POSTGRES_EXTENSIONS` lists extensions (e.g. pg_trgm) the
administrator creates in the seeded template before the seed runs. The fingerprint changes
whenever the generator's code changes, so seeded templates on long-running servers are rebuilt
exactly when they must be.

Sealed hidden variants: a generator draws each variant from one seeded `random.Random`, its seed in
`VARIANTS[variant].seed`. When a grading bundle's secret is given, the grader replaces the hidden
variant's seed with one derived from the secret, so the generators a student edition ships cannot
reproduce the hidden data (the shape stays, the values move). Generators need no change for it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from grader.errors import SpecError
from grader.paths import labs_dir

VARIANTS = ("public", "hidden")


def folder(name: str, root: Path | None = None) -> Path:
    return labs_dir(root) / "datasets" / name


def derived_seed(secret: str, purpose: str) -> int:
    """A seed only the holder of `secret` can compute (64 bits of SHA-256 over secret and purpose)."""
    return int.from_bytes(hashlib.sha256(f"{secret}:{purpose}".encode()).digest()[:8], "big")


def load(name: str, root: Path | None = None, secret: str | None = None) -> ModuleType:
    """The generator module; with `secret`, its hidden variant sealed (see the module docstring)."""
    path = folder(name, root) / "generator.py"
    if not path.is_file():
        raise SpecError(f"dataset '{name}' has no generator at {path}", "correct 'dataset:' in lab.yaml")
    tag = hashlib.sha256(f"{path.resolve()}:{secret or ''}".encode()).hexdigest()[:10]
    module_name = f"grader_dataset_{name.replace('-', '_')}_{tag}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    if secret:
        seal(module, derived_seed(secret, f"dataset:{name}"))
    return module


def _hidden_shape(module: ModuleType) -> Any:
    """The generator's hidden-variant shape when it is a dataclass with a `seed`, else None."""
    variants = getattr(module, "VARIANTS", None)
    hidden = variants.get("hidden") if isinstance(variants, dict) else None
    if hidden is None or not dataclasses.is_dataclass(hidden) or isinstance(hidden, type):
        return None
    return hidden if "seed" in {f.name for f in dataclasses.fields(hidden)} else None


def seal(module: ModuleType, seed: int) -> bool:
    """Give the hidden variant `seed`; False when the generator's hidden variant takes no seed."""
    hidden = _hidden_shape(module)
    if hidden is None:
        return False
    module.VARIANTS["hidden"] = dataclasses.replace(hidden, seed=seed)
    return True


def sealable(name: str, root: Path | None = None) -> bool:
    """Whether a secret moves this dataset's hidden variant (VARIANTS['hidden'] has a seed)."""
    return _hidden_shape(load(name, root)) is not None


def fingerprint(name: str, root: Path | None = None, secret: str | None = None) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder(name, root).rglob("*.py")):
        digest.update(path.read_bytes())
    if secret:  # sealed hidden data is other data: its seeded template must not be shared
        digest.update(str(derived_seed(secret, f"dataset:{name}")).encode())
    return digest.hexdigest()[:12]


def extensions(module: ModuleType) -> list[str]:
    """The PostgreSQL extensions a dataset's template needs (its `POSTGRES_EXTENSIONS`, default none)."""
    return [str(name) for name in getattr(module, "POSTGRES_EXTENSIONS", ())]
