"""Hidden checks: boundaries of a transfer."""

import pytest

from grader.checks.problems import Mismatch, SubmissionProblem


@pytest.mark.task(2)
@pytest.mark.points(1)
@pytest.mark.requires("transactions")
def test_whole_balance_can_be_moved(mongo, submission):
    """moving exactly the whole balance is allowed and leaves 0"""
    mongo.reset()
    ranked = sorted(mongo.db.accounts.find({"balance": {"$gt": 0}}), key=lambda a: (a["balance"], a["_id"]))
    source, target = ranked[0], ranked[-1]
    try:
        result = submission.call("transfer", source["_id"], target["_id"], source["balance"], inject="mongodb")
    except SubmissionProblem as exc:
        raise Mismatch(f"moving exactly the whole balance was refused: {str(exc).splitlines()[-1]}") from None
    assert result == 0, "after moving the whole balance the source should hold 0"
    assert mongo.db.accounts.find_one({"_id": source["_id"]})["balance"] == 0


@pytest.mark.task(2)
@pytest.mark.points(1)
@pytest.mark.requires("transactions")
def test_unknown_source_changes_nothing(mongo, submission):
    """a transfer from an account that does not exist changes nothing"""
    mongo.reset()
    target = mongo.db.accounts.find_one({}, sort=[("_id", 1)])
    before = target["balance"]
    try:
        submission.call("transfer", "ACC-GHOST", target["_id"], 100, inject="mongodb")
    except SubmissionProblem as exc:
        if "ValueError" not in str(exc):
            raise
    else:
        raise Mismatch("transfer() from an unknown account returned instead of raising ValueError")
    assert mongo.db.accounts.find_one({"_id": target["_id"]})["balance"] == before, "the target was credited"
    assert mongo.db.transfers.count_documents({}) == 0, "a transfers entry was left behind"
