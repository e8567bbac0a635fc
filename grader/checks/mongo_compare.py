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

SHOWN = 5


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
    lines = [f"expected {len(want)} {what}, got {len(got)}"]
    if not reveal:
        lines.append(
            f"{sum(missing.values())} expected {what} are missing and {sum(extra.values())} are not expected "
            "(hidden data: the documents are not shown)"
        )
        return Outcome(False, "; ".join(lines))
    by_text = {key(d, digits): d for d in [*expected, *actual]}
    if missing:
        lines.append(f"missing ({sum(missing.values())}):")
        lines += [f"  - {show(by_text[k])}" for k in list(missing.elements())[:SHOWN]]
    if extra:
        lines.append(f"not expected ({sum(extra.values())}):")
        lines += [f"  + {show(by_text[k])}" for k in list(extra.elements())[:SHOWN]]
    return Outcome(False, "\n".join(lines))
