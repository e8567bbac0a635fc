"""The reference's answers on public data: live, recorded at release time, or replayed from the record.

A student edition carries no reference. Its public checks still compare the learner's results with
the reference's: `grader release` grades the reference on the public data with a recorder in every
place a check asks the reference for something (a query's rows, the tables a script leaves, the
documents a pipeline returns), and writes what it answered to `tests/reference-record.json`, signed
(grader.signing). In the edition the checks ask the same questions and the record answers them.

Answers are keyed by the check (pytest node id) and the question, so a check that asks twice gets
the same answer twice. Values keep their types through a tagged JSON encoding (Decimal, dates,
ObjectId…), so comparisons behave as they would against the live reference.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TypeVar

from grader import signing
from grader.checks.problems import GraderFault
from grader.sqlcompare import ResultSet

FORMAT = 1
RECORD_FILE = "tests/reference-record.json"
Mode = Literal["live", "record", "replay"]
T = TypeVar("T")


# Values -----------------------------------------------------------------------------------------
def encode(value: Any) -> Any:
    """A JSON value that `decode` turns back into an equal value of the same type."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return {"$float": repr(value)}  # keeps nan and inf, which JSON has no words for
    if isinstance(value, ResultSet):
        return {"$rows": {"columns": list(value.columns), "rows": [encode(list(r)) for r in value.rows]}}
    if isinstance(value, tuple):
        return {"$tuple": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {"$dict": {k: encode(v) for k, v in value.items()}}
        return {"$pairs": [[encode(k), encode(v)] for k, v in value.items()]}
    return _encode_scalar(value)


def _encode_scalar(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$time": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"$timedelta": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    kind = type(value).__name__
    if kind in ("ObjectId", "Decimal128"):  # bson types: MongoDB results
        return {f"${kind}": str(value)}
    raise GraderFault(f"the reference answered a {kind}, which a release cannot record; add it to "
                      "grader/reference_record.py")


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    ((tag, inner),) = value.items()
    if tag == "$rows":
        return ResultSet(list(inner["columns"]), [tuple(decode(r)) for r in inner["rows"]])
    if tag == "$dict":
        return {k: decode(v) for k, v in inner.items()}
    if tag == "$pairs":
        return {_hashable(decode(k)): decode(v) for k, v in inner}
    if tag == "$tuple":
        return tuple(decode(v) for v in inner)
    return _DECODERS[tag](inner)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _bson(kind: str) -> Callable[[str], Any]:
    def make(text: str) -> Any:
        import bson

        return getattr(bson, kind)(text)

    return make


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "$float": float,
    "$decimal": Decimal,
    "$datetime": dt.datetime.fromisoformat,
    "$date": dt.date.fromisoformat,
    "$time": dt.time.fromisoformat,
    "$timedelta": lambda parts: dt.timedelta(days=parts[0], seconds=parts[1], microseconds=parts[2]),
    "$uuid": uuid.UUID,
    "$bytes": lambda text: base64.b64decode(text),
    "$ObjectId": _bson("ObjectId"),
    "$Decimal128": _bson("Decimal128"),
}


# Answers ----------------------------------------------------------------------------------------
class ReferenceAnswers:
    """Where a check's reference answers come from: the live reference, recorded, or replayed."""

    def __init__(self, mode: Mode, recorded: dict[str, Any] | None = None) -> None:
        self.mode = mode
        self.entries: dict[str, Any] = dict(recorded or {})
        self.current_check = ""

    def key(self, question: tuple[Any, ...]) -> str:
        return json.dumps([self.current_check, *question], default=str, separators=(",", ":"))

    def get(self, question: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """The reference's answer to `question`, from `compute` (the live reference) or the record."""
        if self.mode == "live":
            return compute()
        key = self.key(question)
        if self.mode == "replay":
            if key not in self.entries:
                raise GraderFault(f"the release's record holds no reference answer for {self.current_check} "
                                  f"({question[0]}): the checks and the record differ; ask for a fresh release")
            answer: T = decode(self.entries[key])
            return answer
        computed = compute()
        self.entries[key] = encode(computed)
        return computed


# The signed record file -------------------------------------------------------------------------
def _signed_bytes(lab_id: str, answers: dict[str, Any]) -> bytes:
    return json.dumps({"format": FORMAT, "lab": lab_id, "answers": answers}, sort_keys=True,
                      separators=(",", ":")).encode()


def write(path: Path, lab_id: str, answers: dict[str, Any], private_key: str) -> None:
    signature = signing.sign(private_key, _signed_bytes(lab_id, answers))
    document = {"format": FORMAT, "lab": lab_id, "signature": signature, "answers": answers}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")


class Tampered(Exception):
    """The record does not verify: it was edited after release (or belongs to another lab or key)."""


def read(path: Path, lab_id: str, public_key: str) -> dict[str, Any]:
    """The record's answers, after checking its signature with the edition's public key."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        answers, signature = document["answers"], document["signature"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise Tampered(f"{path} cannot be read as a reference record ({exc})") from None
    if not isinstance(answers, dict) or not signing.verify(public_key, _signed_bytes(lab_id, answers), signature):
        raise Tampered(f"{path} does not match its signature: it was edited after the release")
    return answers
