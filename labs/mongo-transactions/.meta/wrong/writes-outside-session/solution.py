"""Transfers that open a transaction but do not pass the session to the writes."""

from pymongo import ReturnDocument


def transfer(db, source, target, amount):
    if not isinstance(amount, int) or amount <= 0:
        raise ValueError("amount must be a positive whole number of cents")

    def work(session):
        debited = db.accounts.find_one_and_update(
            {"_id": source, "balance": {"$gte": amount}},
            {"$inc": {"balance": -amount}},
            return_document=ReturnDocument.AFTER,
        )
        if debited is None:
            raise ValueError(f"account {source} does not exist or lacks {amount} cents")
        credited = db.accounts.update_one({"_id": target}, {"$inc": {"balance": amount}})
        if credited.matched_count != 1:
            raise ValueError(f"account {target} does not exist")
        db.transfers.insert_one({"from": source, "to": target, "amount": amount})
        return debited["balance"]

    with db.client.start_session() as session:
        return session.with_transaction(work)
