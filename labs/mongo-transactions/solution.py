"""Transfers between accounts. See README.md, task 2."""


def transfer(db, source, target, amount):
    """Move `amount` cents from account `source` to `target`, log it, and return the source's new balance."""
    raise NotImplementedError("write transfer()")
