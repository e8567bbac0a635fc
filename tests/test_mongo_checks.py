"""Learner MongoDB files, document comparison and per-run databases.

File parsing and comparison need no server. MongoRun/MongoChecker run here on the emulator (a
test of the emulated path itself) and again on a real server wherever one answers.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.checks import mongo_files
from grader.checks.mongo import MongoChecker
from grader.checks.mongo_compare import compare
from grader.checks.problems import GraderFault, Mismatch, SubmissionProblem
from grader.errors import ServiceUnavailable
from grader.isolation.mongodb import MongoRun, database_name, learner_url
from grader.services.emulated_mongo import EMULATED_URL, is_emulated
from grader.services.session import ServicePool

SEED = {
    "orders": [
        {"_id": 1, "status": "done", "items": [{"qty": 2}], "at": dt.datetime(2024, 1, 1)},
        {"_id": 2, "status": "open", "items": [], "at": dt.datetime(2024, 2, 1)},
    ]
}


def write(folder: Path, rel: str, text: str) -> None:
    (folder / rel).parent.mkdir(parents=True, exist_ok=True)
    (folder / rel).write_text(text)


def test_bad_json_names_the_problem(tmp_path: Path) -> None:
    write(tmp_path, "q.json", '{"filter": {status: "done"}}')
    with pytest.raises(SubmissionProblem, match=r"q.json is not valid JSON.*line 1"):
        mongo_files.load(tmp_path / "q.json", "q.json")
    with pytest.raises(SubmissionProblem, match="missing"):
        mongo_files.load(tmp_path / "absent.json", "absent.json")


def test_extended_json_dates_load() -> None:
    spec = mongo_files.query_spec({"filter": {"at": {"$gte": dt.datetime(2024, 1, 15)}}, "sort": {"_id": -1}}, "q")
    assert spec["sort"] == [("_id", -1)]


def test_update_without_operators_is_explained() -> None:
    with pytest.raises(SubmissionProblem, match="replaceOne"):
        mongo_files.write_spec({"method": "updateOne", "filter": {}, "update": {"price": 3}}, "u.json")
    with pytest.raises(SubmissionProblem, match="method"):
        mongo_files.write_spec({"method": "update", "filter": {}}, "u.json")
    with pytest.raises(SubmissionProblem, match="unknown key"):
        mongo_files.query_spec({"filer": {}}, "q.json")


def test_compare_bag_order_numbers_and_hidden_data() -> None:
    assert compare([{"a": 1, "b": 2.0}], [{"b": 2, "a": 1}], ordered=True, reveal=True).ok
    assert not compare([{"a": 1}, {"a": 2}], [{"a": 2}, {"a": 1}], ordered=True, reveal=True).ok
    assert compare([{"a": 1}, {"a": 2}], [{"a": 2}, {"a": 1}], ordered=False, reveal=True).ok
    assert not compare([{"a": 1}, {"a": 1}], [{"a": 1}], ordered=False, reveal=True).ok  # duplicates count
    public = compare([{"name": "Secret"}], [{"name": "Other"}], ordered=False, reveal=True)
    assert "Secret" in public.message and "Other" in public.message
    hidden = compare([{"name": "Secret"}], [{"name": "Other"}], ordered=False, reveal=False)
    assert "Secret" not in hidden.message and "Other" not in hidden.message and "not shown" in hidden.message
    assert compare([{"r": 1.004}], [{"r": 1.0}], ordered=False, reveal=True, digits=2).ok


def test_names_and_learner_url() -> None:
    name = database_name("mongo-aggregation" * 5, "hidden", "abcd1234", 3)
    assert len(name) <= 63 and name.endswith("_hid_abcd1234_3")
    url = learner_url("mongodb://admin:pw@127.0.0.1:27017/?replicaSet=rs0&authSource=admin", "db1", "u", "p w")
    assert url == "mongodb://u:p%20w@127.0.0.1:27017/db1?replicaSet=rs0&authSource=db1"


def _real_mongo_url(request: pytest.FixtureRequest) -> str:
    """GRADER_MONGODB_URL, else the session's server (local mongod or Docker); skip, saying why, when none."""
    if os.environ.get("GRADER_MONGODB_URL"):
        return os.environ["GRADER_MONGODB_URL"]
    if os.environ.get("GRADER_MONGODB_BACKEND") == "emulated":
        pytest.skip("no real MongoDB in this test session (GRADER_MONGODB_BACKEND=emulated)")
    pool: ServicePool = request.getfixturevalue("pool")
    try:
        running = pool.get("mongodb")
    except ServiceUnavailable as exc:
        pytest.skip(f"no real MongoDB here: {exc.problem.splitlines()[0]}")
    if is_emulated(running.url):
        pytest.skip("no real MongoDB in this test session (the emulator was chosen)")
    return running.url


@pytest.fixture(params=["emulated", "real"])
def run(request: pytest.FixtureRequest) -> Iterator[MongoRun]:
    url = EMULATED_URL if request.param == "emulated" else _real_mongo_url(request)
    mongo_run = MongoRun(url, "test-lab")
    yield mongo_run
    names = list(mongo_run._databases)
    mongo_run.close()
    if request.param == "real":
        import pymongo

        client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(url)
        assert not set(names) & set(client.list_database_names()), "run databases must be dropped"
        client.close()


def checker(run: MongoRun, tmp_path: Path, variant: str = "public") -> MongoChecker:
    (tmp_path / "mine").mkdir(exist_ok=True)
    (tmp_path / "ref").mkdir(exist_ok=True)
    return MongoChecker(run, variant, SEED, tmp_path / "mine", tmp_path / "ref", 3000, lambda rel: None)


def test_pipeline_check_passes_and_fails_with_feedback(run: MongoRun, tmp_path: Path) -> None:
    mongo = checker(run, tmp_path)
    good = '[{"$group": {"_id": "$status", "n": {"$sum": 1}}}, {"$sort": {"_id": 1}}]'
    write(tmp_path / "ref", "p.json", good)
    write(tmp_path / "mine", "p.json", good)
    mongo.check_pipeline("p.json", "orders", ordered=True)
    write(tmp_path / "mine", "p.json", '[{"$unwind": "$items"}, {"$group": {"_id": "$status", "n": {"$sum": 1}}}]')
    with pytest.raises(Mismatch, match=r"missing \(1\)"):
        mongo.check_pipeline("p.json", "orders", ordered=True)
    write(tmp_path / "mine", "p.json", "[]")
    with pytest.raises(SubmissionProblem, match="no stages yet"):
        mongo.check_pipeline("p.json", "orders")


def test_write_check_compares_the_collection_after(run: MongoRun, tmp_path: Path) -> None:
    mongo = checker(run, tmp_path)
    write(tmp_path / "ref", "u.json",
          '{"method": "updateOne", "filter": {"_id": 2}, "update": {"$set": {"status": "done"}}}')
    write(tmp_path / "mine", "u.json",
          '{"method": "replaceOne", "filter": {"_id": 2}, "replacement": {"status": "done"}}')
    with pytest.raises(Mismatch, match="items"):
        mongo.check_write("u.json", "orders")
    assert mongo.db.orders.find_one({"_id": 2})["status"] == "open", "writes run on fresh copies only"


def test_seeded_databases_are_separate(run: MongoRun, tmp_path: Path) -> None:
    first, second = checker(run, tmp_path), checker(run, tmp_path)
    first.db.orders.delete_many({})
    assert second.db.orders.count_documents({}) == 2
    assert first.db.name != second.db.name


def test_emulator_refuses_explain(tmp_path: Path) -> None:
    mongo_run = MongoRun(EMULATED_URL, "test-lab")
    try:
        with pytest.raises(GraderFault, match="real MongoDB"):
            checker(mongo_run, tmp_path).plan_stages("orders", {"filter": {}})
        with pytest.raises(GraderFault):
            mongo_run.learner_url_for("x")
    finally:
        mongo_run.close()


def test_emulator_refusing_valid_operators_is_not_the_learners_fail(tmp_path: Path) -> None:
    """$sortArray, $topN, $type as a number or a list are valid MongoDB: on mongomock they end as `error`."""
    mongo_run = MongoRun(EMULATED_URL, "test-lab")
    try:
        mongo = checker(mongo_run, tmp_path)
        write(tmp_path / "ref", "q.json", '{"filter": {"status": "done"}}')
        for query in ('{"filter": {"status": {"$type": 2}}}', '{"filter": {"status": {"$type": ["string", "int"]}}}'):
            write(tmp_path / "mine", "q.json", query)
            with pytest.raises(GraderFault, match="not run on the MongoDB emulator"):
                mongo.check_query("q.json", "orders")
        write(tmp_path / "ref", "p.json", '[{"$project": {"n": {"$size": "$items"}}}]')
        write(tmp_path / "mine", "p.json", '[{"$project": {"n": {"$sortArray": {"input": "$items", "sortBy": 1}}}}]')
        with pytest.raises(GraderFault, match=r"not run on the MongoDB emulator.*\$sortArray"):
            mongo.check_pipeline("p.json", "orders")
        write(tmp_path / "mine", "p.json", '[{"$project": {"n": {"$sizeOf": "$items"}}}]')
        with pytest.raises(SubmissionProblem, match="sizeOf"):  # not MongoDB either: the learner's mistake
            mongo.check_pipeline("p.json", "orders")
    finally:
        mongo_run.close()
