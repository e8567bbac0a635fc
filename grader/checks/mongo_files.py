"""Learner MongoDB files: declarative JSON (Extended JSON v2) that the grader itself executes.

A file is data, not code, so running it in the check process keeps the submission boundary:
  query file     {"filter": {...}, "projection": {...}, "sort": {"field": 1}, "skip": n, "limit": n}
  pipeline file  [ {"$match": ...}, {"$group": ...}, ... ]
  write file     {"method": "updateOne"|"updateMany"|"replaceOne"|"deleteMany"|"insertMany",
                  "filter": {...}, "update": {...}|[...], "replacement": {...}, "upsert": false,
                  "documents": [...]}
Every shape problem becomes a SubmissionProblem that names the file, the key and the fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bson import json_util
from bson.errors import InvalidBSON

from grader.checks.problems import SubmissionProblem

QUERY_KEYS = {"filter", "projection", "sort", "skip", "limit"}
WRITE_METHODS = {"updateOne", "updateMany", "replaceOne", "deleteOne", "deleteMany", "insertMany"}
WRITE_KEYS = {"method", "filter", "update", "replacement", "upsert", "documents"}


def load(path: Path, rel: str) -> Any:
    """Parse a learner JSON file; a syntax error names the line and column."""
    if not path.is_file():
        raise SubmissionProblem(f"{rel} is missing: restore the starter file and write your answer in it")
    text = path.read_text(encoding="utf-8", errors="replace")
    if not text.strip():
        raise SubmissionProblem(f"{rel} is empty: write your JSON in it")
    try:
        return json_util.loads(text)
    except ValueError as exc:
        raise SubmissionProblem(
            f"{rel} is not valid JSON: {exc}\n  JSON needs double quotes around keys and strings, "
            "and no trailing commas or comments"
        ) from None
    except (InvalidBSON, TypeError) as exc:
        raise SubmissionProblem(f"{rel}: an Extended JSON value is malformed: {exc}") from None


def _mapping(value: Any, rel: str, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SubmissionProblem(f"{rel}: '{key}' must be a JSON object {{...}}, not {type(value).__name__}")
    return value


def _unknown(keys: set[str], allowed: set[str], rel: str) -> None:
    extra = sorted(keys - allowed)
    if extra:
        raise SubmissionProblem(f"{rel}: unknown key(s) {', '.join(extra)}; allowed: {', '.join(sorted(allowed))}")


def query_spec(document: Any, rel: str) -> dict[str, Any]:
    """A query file as find() keyword arguments."""
    query = _mapping(document, rel, "the file")
    _unknown(set(query), QUERY_KEYS, rel)
    spec: dict[str, Any] = {"filter": _mapping(query.get("filter", {}), rel, "filter")}
    if query.get("projection") is not None:
        spec["projection"] = _mapping(query["projection"], rel, "projection")
    if query.get("sort") is not None:
        sort = _mapping(query["sort"], rel, "sort")
        if any(v not in (1, -1) for v in sort.values()):
            raise SubmissionProblem(f"{rel}: every 'sort' direction must be 1 (ascending) or -1 (descending)")
        spec["sort"] = list(sort.items())
    for key in ("skip", "limit"):
        if key in query:
            if not isinstance(query[key], int) or isinstance(query[key], bool) or query[key] < 0:
                raise SubmissionProblem(f"{rel}: '{key}' must be a whole number ≥ 0")
            spec[key] = query[key]
    return spec


def pipeline_spec(document: Any, rel: str) -> list[dict[str, Any]]:
    if document == []:
        raise SubmissionProblem(f"{rel} has no stages yet: write your pipeline in it")
    if not isinstance(document, list):
        raise SubmissionProblem(f"{rel}: a pipeline file holds a JSON array of stages: [{{\"$match\": ...}}, ...]")
    for number, stage in enumerate(document, 1):
        if not isinstance(stage, dict) or len(stage) != 1 or not next(iter(stage)).startswith("$"):
            raise SubmissionProblem(f"{rel}: stage {number} must be an object with one key such as \"$group\"")
    return document


def write_spec(document: Any, rel: str) -> dict[str, Any]:
    write = _mapping(document, rel, "the file")
    _unknown(set(write), WRITE_KEYS, rel)
    method = write.get("method")
    if method not in WRITE_METHODS:
        raise SubmissionProblem(f"{rel}: 'method' must be one of {', '.join(sorted(WRITE_METHODS))}")
    if method in ("updateOne", "updateMany"):
        update = write.get("update")
        if isinstance(update, dict):
            if not update or not all(key.startswith("$") for key in update):
                raise SubmissionProblem(
                    f"{rel}: an update document holds update operators only ($set, $inc, $push, ...); "
                    "to replace a whole document use method replaceOne with 'replacement'"
                )
        elif not isinstance(update, list):
            raise SubmissionProblem(f"{rel}: '{method}' needs 'update': an object of operators or a pipeline array")
    if method == "replaceOne":
        replacement = _mapping(write.get("replacement"), rel, "replacement")
        if any(key.startswith("$") for key in replacement):
            raise SubmissionProblem(f"{rel}: a replacement document cannot hold update operators; use updateOne")
    if method == "insertMany" and not isinstance(write.get("documents"), list):
        raise SubmissionProblem(f"{rel}: insertMany needs 'documents': a JSON array of documents")
    if method != "insertMany":
        write["filter"] = _mapping(write.get("filter", {}), rel, "filter")
    return write


def execute_write(collection: Any, write: dict[str, Any]) -> dict[str, int]:
    """Run a write file on a collection (pymongo or mongomock); the counts the server reports."""
    method, upsert = write["method"], bool(write.get("upsert", False))
    if method == "updateOne":
        result = collection.update_one(write["filter"], write["update"], upsert=upsert)
    elif method == "updateMany":
        result = collection.update_many(write["filter"], write["update"], upsert=upsert)
    elif method == "replaceOne":
        result = collection.replace_one(write["filter"], write["replacement"], upsert=upsert)
    elif method == "deleteOne":
        return {"deleted": collection.delete_one(write["filter"]).deleted_count}
    elif method == "deleteMany":
        return {"deleted": collection.delete_many(write["filter"]).deleted_count}
    else:
        return {"inserted": len(collection.insert_many(write["documents"]).inserted_ids)}
    return {"matched": result.matched_count, "modified": result.modified_count,
            "upserted": 0 if result.upserted_id is None else 1}
