"""Transfers with an explicit transaction: start it, commit when every write succeeded, abort otherwise."""


def transfer(db, source, target, amount):
    if type(amount) is not int or amount <= 0:
        raise ValueError("the amount must be a positive number of cents")
    with db.client.start_session() as session:
        session.start_transaction()
        try:
            debit = db.accounts.update_one(
                {"_id": source, "balance": {"$gte": amount}}, {"$inc": {"balance": -amount}}, session=session)
            if debit.modified_count != 1:
                raise ValueError(f"no account {source} with at least {amount} cents")
            if db.accounts.update_one({"_id": target}, {"$inc": {"balance": amount}},
                                      session=session).matched_count != 1:
                raise ValueError(f"no account {target}")
            db.transfers.insert_one({"from": source, "to": target, "amount": amount}, session=session)
            balance = db.accounts.find_one({"_id": source}, {"balance": 1}, session=session)["balance"]
        except Exception:
            session.abort_transaction()
            raise
        session.commit_transaction()
        return balance
