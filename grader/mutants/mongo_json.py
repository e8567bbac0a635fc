"""MongoDB JSON mutants of a reference file (query, pipeline, update or index file).

One change each: a comparison's boundary ($gt/$gte, $lt/$lte), $eq/$ne, $in/$nin, $and/$or,
$exists true/false, $min/$max, $first/$last, a sort direction, a pipeline stage dropped,
preserveNullAndEmptyArrays flipped, a $limit/limit one larger, `unique` or `upsert` flipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from grader.mutants.model import Mutant

KEY_SWAPS = {
    "$gt": "$gte", "$gte": "$gt", "$lt": "$lte", "$lte": "$lt", "$eq": "$ne", "$ne": "$eq", "$in": "$nin",
    "$nin": "$in", "$and": "$or", "$or": "$and", "$min": "$max", "$max": "$min", "$first": "$last",
    "$last": "$first", "$addToSet": "$push", "$setOnInsert": "$set",
}
FLAGS = ("preserveNullAndEmptyArrays", "$exists", "unique", "upsert")
SORTS = ("$sort", "sort", "keys", "sortBy")
LIMITS = ("$limit", "limit", "n")
Path = tuple[str | int, ...]
Edit = tuple[str, Callable[[Any], Any]]  # (operator, new value of the container at the path)


def _walk(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index))


def _renamed(container: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    return {(new if key == old else key): item for key, item in container.items()}


def _flipped(key: str, value: dict[str, Any]) -> dict[str, Any]:
    return {**value, key: not value[key]}


def _reversed(key: str, field: str, value: dict[str, Any]) -> dict[str, Any]:
    return {**value, key: {**value[key], field: -value[key][field]}}


def _one_more(key: str, value: dict[str, Any]) -> dict[str, Any]:
    return {**value, key: value[key] + 1}


def _without(index: int, value: list[Any]) -> list[Any]:
    return value[:index] + value[index + 1:]


def _edits(path: Path, value: Any, top: Any) -> Iterator[Edit]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in KEY_SWAPS and KEY_SWAPS[key] not in value:
                yield f"operator{key}", partial(_renamed, old=key, new=KEY_SWAPS[key])
            if key in FLAGS and isinstance(item, bool):
                yield f"flag-{key.lstrip('$')}", partial(_flipped, key)
            if key in SORTS and isinstance(item, dict):
                for field, direction in item.items():
                    if direction in (1, -1):
                        yield "sort-direction", partial(_reversed, key, field)
            if key in LIMITS and isinstance(item, int) and not isinstance(item, bool) and item > 0:
                yield "limit", partial(_one_more, key)
    if isinstance(value, list) and path == () and len(value) > 1 and all(isinstance(s, dict) for s in value):
        for index in range(len(value)):
            yield "drop-stage", partial(_without, index)


def _replace(document: Any, path: Path, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(document, dict):
        return {key: (_replace(item, rest, new) if key == head else item) for key, item in document.items()}
    return [(_replace(item, rest, new) if index == head else item) for index, item in enumerate(document)]


def _where(path: Path, value: Any) -> str:
    text = json.dumps(value, default=str)
    place = ".".join(str(p) for p in path) or "(top)"
    return f"{place}: {text if len(text) <= 60 else text[:59] + '…'}"


def mutate(rel: str, text: str) -> list[Mutant]:
    """Every single-change mutant of a JSON file, in a stable order (Extended JSON passes through as is)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return []
    mutants: list[Mutant] = []
    counts: dict[str, int] = {}
    for path, value in list(_walk(document)):
        for operator, edit in _edits(path, value, document):
            mutated = _replace(document, path, edit(value))
            if mutated == document:
                continue
            number = counts[operator] = counts.get(operator, 0) + 1
            mutants.append(Mutant(rel, f"{operator}-{number}", _where(path, value), json.dumps(mutated, indent=1)))
    return mutants
