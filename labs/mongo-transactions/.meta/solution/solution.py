"""Transfers between accounts: every write in one transaction, so a failure leaves nothing behind."""

from pymongo import ReturnDocument


def transfer(db, source, target, amount):
    """Move `amount` cents from account `source` to `target`, log it, and return the source's new balance."""
    if not isinstance(amount, int) or amount <= 0:
        raise ValueError("amount must be a positive whole number of cents")

    def work(session):
        debited = db.accounts.find_one_and_update(
            {"_id": source, "balance": {"$gte": amount}},
            {"$inc": {"balance": -amount}},
            session=session,
            return_document=ReturnDocument.AFTER,
        )
        if debited is None:
            raise ValueError(f"account {source} does not exist or lacks {amount} cents")
        credited = db.accounts.update_one({"_id": target}, {"$inc": {"balance": amount}}, session=session)
        if credited.matched_count != 1:
            raise ValueError(f"account {target} does not exist")
        db.transfers.insert_one({"from": source, "to": target, "amount": amount}, session=session)
        return debited["balance"]

    with db.client.start_session() as session:
        return session.with_transaction(work)
