"""Comparing lists of MongoDB documents, with feedback a learner understands.

Documents compare by value: field order inside a document does not matter, numbers compare by
value (5 == 5.0, floats rounded), and the list is a bag unless `ordered`. Public data shows the
missing and extra documents; hidden data only counts them, so hidden documents are never revealed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bson import ObjectId
from bson.decimal128 import Decimal128

from grader.words import count, singular_of

SHOWN = 3  # documents shown per kind of difference; the rest are counted


def normal(value: Any, digits: int) -> Any:
    """A JSON-able value equal for equal documents, whatever their field order or number type."""
    if isinstance(value, dict):
        return {str(k): normal(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normal(v, digits) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal128):
        value = value.to_decimal()
    if isinstance(value, (int, float, Decimal)):
        number = round(float(value), digits)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if isinstance(value, dt.datetime):
        return {"$date": value.replace(tzinfo=None).isoformat(timespec="milliseconds")}
    if isinstance(value, ObjectId):
        return {"$oid": str(value)}
    return {"$value": str(value)}


def key(document: Any, digits: int) -> str:
    return json.dumps(normal(document, digits), sort_keys=True, separators=(", ", ": "))


def show(document: Any) -> str:
    text = key(document, 6)
    return text if len(text) <= 300 else text[:300] + " …"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str = ""


def compare(expected: list[Any], actual: list[Any], *, ordered: bool, reveal: bool, digits: int = 6,
            what: str = "documents") -> Outcome:
    want = [key(d, digits) for d in expected]
    got = [key(d, digits) for d in actual]
    missing = Counter(want) - Counter(got)
    extra = Counter(got) - Counter(want)
    if not missing and not extra:
        if not ordered or want == got:
            return Outcome(True)
        position = next(i for i, (a, b) in enumerate(zip(want, got, strict=True)) if a != b)
        detail = f": position {position + 1} should be {show(expected[position])}" if reveal else ""
        return Outcome(False, f"the right {what}, in the wrong order{detail}")
    one = singular_of(what)
    n_missing, n_extra = sum(missing.values()), sum(extra.values())
    if len(want) == len(got):
        lines = [f"{n_missing} of the {count(len(want), one, what)} differ from the expected ones"]
    else:
        lines = [f"expected {count(len(want), one, what)}, got {len(got)}"]
    if not reveal:
        lines.append(
            f"{count(n_missing, 'expected ' + one, 'expected ' + what)} {'is' if n_missing == 1 else 'are'} missing "
            f"and {n_extra} {'is' if n_extra == 1 else 'are'} not expected (hidden data: the documents are not shown)"
        )
        return Outcome(False, "; ".join(lines))
    by_text = {key(d, digits): d for d in [*expected, *actual]}
    wanted = [by_text[k] for k in missing.elements()]
    got_extra = [by_text[k] for k in extra.elements()]
    changed = _same_id_pairs(wanted, got_extra)
    if changed:
        lines.append(f"different fields ({len(changed)}):")
        lines += [f"  ~ {_field_diff(want_doc, got_doc, digits)}" for want_doc, got_doc in changed[:SHOWN]]
        lines += _more(len(changed))
        wanted = [d for d in wanted if not any(d is w for w, _ in changed)]
        got_extra = [d for d in got_extra if not any(d is g for _, g in changed)]
    if wanted:
        lines.append(f"missing ({len(wanted)}):")
        lines += [f"  - {show(d)}" for d in wanted[:SHOWN]]
        lines += _more(len(wanted))
    if got_extra:
        lines.append(f"not expected ({len(got_extra)}):")
        lines += [f"  + {show(d)}" for d in got_extra[:SHOWN]]
        lines += _more(len(got_extra))
    return Outcome(False, "\n".join(lines))


def _more(total: int) -> list[str]:
    return [f"  … and {total - SHOWN} more"] if total > SHOWN else []


def _same_id_pairs(wanted: list[Any], got: list[Any]) -> list[tuple[Any, Any]]:
    """Expected and actual documents with the same _id: shown as a field diff, which teaches more."""
    pairs = []
    used: set[int] = set()
    for want in wanted:
        if not isinstance(want, dict) or "_id" not in want:
            continue
        for index, candidate in enumerate(got):
            if index not in used and isinstance(candidate, dict) and candidate.get("_id") == want["_id"]:
                pairs.append((want, candidate))
                used.add(index)
                break
    return pairs


def _field_diff(want: dict[str, Any], got: dict[str, Any], digits: int) -> str:
    """Missing and changed fields with their values; fields not expected by name only (a projection's job)."""
    parts = []
    unexpected = [field for field in sorted(got) if field not in want]
    for field in sorted(want):
        if field not in got:
            parts.append(f"'{field}' is missing (expected {key(want[field], digits)})")
        elif key(want[field], digits) != key(got[field], digits):
            parts.append(f"'{field}' should be {key(want[field], digits)}, got {key(got[field], digits)}")
    if unexpected:
        names = ", ".join(f"'{field}'" for field in unexpected)
        parts.append(f"{'field' if len(unexpected) == 1 else 'fields'} not expected: {names}")
    text = f"_id {key(want['_id'], digits)}: " + "; ".join(parts)
    return text if len(text) <= 400 else text[:400] + " …"
