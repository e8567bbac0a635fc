"""Similar submissions: pairs whose normalised files are identical or nearly so — for the instructor to
look at, never a verdict (short tasks have few sensible answers; two students may well agree).

Normalising removes what copying changes cheaply: comments, whitespace, letter case, and names
chosen freely — SQL table and column aliases (through sqlglot's parser), Python variable names
(through `ast`), JSON key order. What is left is split into tokens; a MinHash signature of the
token 4-grams estimates how much two submissions share (Jaccard similarity), deterministically.
Submissions that equal the starter are left out; pairs that equal the reference say so.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import itertools
import json
import random
import re
from pathlib import Path

from grader.batch.model import Fingerprint, SimilarPair

NEAR = 0.85  # estimated Jaccard similarity from which a pair is listed as near-identical
SHINGLE = 4
PERMUTATIONS = 64
_PRIME = (1 << 61) - 1
_RANDOM = random.Random(1913)  # fixed: the same signature on every run and machine
_COEFFICIENTS = [(_RANDOM.randrange(1, _PRIME), _RANDOM.randrange(0, _PRIME)) for _ in range(PERMUTATIONS)]
_COMMENTS = re.compile(r"--[^\n]*|#[^\n]*|//[^\n]*|/\*.*?\*/", re.S)
_TOKENS = re.compile(r"\w+|[^\w\s]")


def _generic(text: str) -> str:
    return " ".join(_COMMENTS.sub(" ", text).lower().split())


def _sql(text: str) -> str:
    import sqlglot
    from sqlglot import exp

    try:
        statements = [s for s in sqlglot.parse(text, read="postgres") if s is not None]
    except sqlglot.errors.SqlglotError:
        return _generic(text)
    names: dict[str, str] = {}
    for statement in statements:
        for node in statement.walk():
            if isinstance(node, exp.TableAlias) and node.name:
                names.setdefault(node.name.lower(), f"t{len(names)}")
            elif isinstance(node, exp.Alias) and node.alias:
                names.setdefault(node.alias.lower(), f"c{len(names)}")
    out = []
    for statement in statements:
        def rename(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Identifier) and node.name.lower() in names:
                return exp.to_identifier(names[node.name.lower()])
            return node

        out.append(statement.transform(rename).sql(dialect="postgres", comments=False).lower())
    return " ; ".join(out)


class _Renamer(ast.NodeTransformer):
    """Local names in order of first use: v0, v1, … (builtins and attributes keep their names)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def _name(self, name: str) -> str:
        if hasattr(builtins, name):
            return name
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_Name(self, node: ast.Name) -> ast.AST:
        node.id = self._name(node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.AST:
        node.arg = self._name(node.arg)
        node.annotation = None
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            node.body = body[1:] or [ast.Pass()]  # a docstring is a comment
        node.returns = None
        self.generic_visit(node)
        return node


def _python(text: str) -> str:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return _generic(text)
    return ast.dump(_Renamer().visit(tree), annotate_fields=False).lower()


def _json(text: str) -> str:
    try:
        return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":")).lower()
    except ValueError:
        return _generic(text)


def normalise(name: str, text: str) -> str:
    suffix = Path(name).suffix.lower()
    normaliser = {".sql": _sql, ".py": _python, ".json": _json}.get(suffix, _generic)
    return normaliser(text)


def normalised_files(folder: Path | None, files: list[str]) -> str:
    parts = []
    for rel in files:
        path = folder / rel if folder else None
        if path is not None and path.is_file() and not path.is_symlink():
            parts.append(f"{rel}\n{normalise(rel, path.read_text(encoding='utf-8', errors='replace'))}")
    return "\n".join(parts)


def _shingles(text: str) -> set[bytes]:
    tokens = _TOKENS.findall(text)
    if len(tokens) < SHINGLE:
        return {" ".join(tokens).encode()} if tokens else set()
    return {" ".join(tokens[i:i + SHINGLE]).encode() for i in range(len(tokens) - SHINGLE + 1)}


def fingerprint(normalised: str) -> Fingerprint | None:
    shingles = _shingles(normalised)
    if not shingles:
        return None
    hashes = [int.from_bytes(hashlib.blake2b(s, digest_size=8).digest(), "big") for s in shingles]
    signature = [min((a * h + b) % _PRIME for h in hashes) for a, b in _COEFFICIENTS]
    return Fingerprint(digest=hashlib.sha256(normalised.encode()).hexdigest(), minhash=signature)


def estimate(a: Fingerprint, b: Fingerprint) -> float:
    if a.digest == b.digest:
        return 1.0
    same = sum(x == y for x, y in zip(a.minhash, b.minhash, strict=True))
    return same / len(a.minhash) if a.minhash else 0.0


def pairs(lab: str, prints: dict[str, Fingerprint], starter: str, reference: str) -> list[SimilarPair]:
    """Listed pairs of one lab, most similar first (then by student ids)."""
    found = []
    candidates = {s: f for s, f in prints.items() if f.digest != starter}
    for (one, a), (two, b) in itertools.combinations(sorted(candidates.items()), 2):
        similarity = estimate(a, b)
        if similarity < NEAR:
            continue
        identical = a.digest == b.digest
        note = "both equal the reference solution" if identical and a.digest == reference else ""
        found.append(SimilarPair(lab=lab, students=(one, two), kind="identical" if identical else "near-identical",
                                 similarity=round(similarity, 3), note=note))
    return sorted(found, key=lambda p: (-p.similarity, p.students))
