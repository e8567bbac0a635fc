"""The reference record: values keep their types through the file, and a record verifies only unedited,
for its own lab, under the key it was signed with (no servers needed)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from bson import Decimal128, ObjectId

from grader import reference_record, signing
from grader.sqlcompare import ResultSet


def test_values_round_trip_with_their_types() -> None:
    rows = ResultSet(["id", "price", "at", "day", "gap", "ratio", "tag", "raw", "none"],
                     [(1, Decimal("9.90"), dt.datetime(2024, 3, 1, 12, 30, tzinfo=dt.UTC), dt.date(2024, 3, 1),
                       dt.timedelta(days=2, seconds=5), float("inf"), uuid.UUID(int=7), b"\x00\x01", None)])
    value = [("orders", rows, ["id"]), {"_id": ObjectId("65f000000000000000000001"), "n": Decimal128("1.5"),
                                        "nested": {"ok": True}}, {(1, 2): "tuple key"}]
    back = reference_record.decode(json.loads(json.dumps(reference_record.encode(value))))
    assert back == value
    assert type(back[0][1].rows[0][1]) is Decimal and type(back[0]) is tuple


def test_a_record_verifies_only_unedited_for_its_lab_and_key(tmp_path: Path) -> None:
    key = signing.new_private_key()
    record = tmp_path / "reference-record.json"
    answers = {"q": reference_record.encode(ResultSet(["n"], [(1,)]))}
    reference_record.write(record, "lab-a", answers, key)
    assert reference_record.read(record, "lab-a", signing.public_key(key)) == answers
    with pytest.raises(reference_record.Tampered):
        reference_record.read(record, "lab-b", signing.public_key(key))  # another lab's record
    with pytest.raises(reference_record.Tampered):
        reference_record.read(record, "lab-a", signing.public_key(signing.new_private_key()))
    record.write_text(record.read_text().replace("1", "2"))
    with pytest.raises(reference_record.Tampered):
        reference_record.read(record, "lab-a", signing.public_key(key))


def test_replay_answers_what_was_recorded_and_refuses_unknown_questions() -> None:
    recorder = reference_record.ReferenceAnswers("record")
    recorder.current_check = "tests/t.py::test_x[public]"
    assert recorder.get(("run", "q.sql"), lambda: ResultSet(["n"], [(Decimal("1.0"),)])).rows == [(Decimal("1.0"),)]
    replay = reference_record.ReferenceAnswers("replay", recorder.entries)
    replay.current_check = recorder.current_check
    assert replay.get(("run", "q.sql"), lambda: pytest.fail("replay must not compute")).rows == [(Decimal("1.0"),)]
    replay.current_check = "tests/t.py::test_y[public]"
    from grader.checks.problems import GraderFault

    with pytest.raises(GraderFault, match="no reference answer"):
        replay.get(("run", "q.sql"), lambda: None)
