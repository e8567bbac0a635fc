"""What a stored password hash is, read from the database the way an attacker who stole it would:
its scheme and cost parameters, and whether it is a fast hash that a GPU guesses billions of times a
second. The bar is OWASP's: argon2id with at least 19 MiB of memory and 2 passes, or bcrypt with a
cost of at least 10."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import argon2
import bcrypt

ARGON2_MIN_MEMORY_KIB = 19456
ARGON2_MIN_TIME = 2
BCRYPT_MIN_COST = 10
ARGON2 = re.compile(r"\$(argon2(?:id|i|d))\$v=\d+\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+")
BCRYPT = re.compile(r"\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}")
FAST = {"md5": hashlib.md5, "sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


@dataclass(frozen=True)
class Verdict:
    acceptable: bool
    why: str  # for the learner: what the stored value is and what is wrong with it (never the value)


def judge(stored: str, password: str) -> Verdict:
    if password and password in stored:
        return Verdict(False, "the password itself is stored in the users table: whoever reads the table (a "
                              "backup, an injection, a curious colleague) reads every password")
    for name, fn in FAST.items():
        digest = fn(password.encode()).hexdigest()
        if digest in stored.lower():
            return Verdict(False, f"the stored value is an unsalted {name.upper()} of the password: fast hashes "
                                  "are guessed billions of times a second, and identical passwords give identical "
                                  "hashes (one lookup cracks them all)")
    if re.fullmatch(r"[0-9a-fA-F]{32,128}(\$[0-9a-fA-F]+)?|[0-9a-fA-F]+[:$][0-9a-fA-F]{32,128}", stored):
        return Verdict(False, "the stored value looks like a fast hash (hex digest, maybe salted): MD5/SHA "
                              "families are built to be fast, which is what a password cracker wants. Use "
                              "argon2id or bcrypt from a well-kept library")
    found = ARGON2.fullmatch(stored)
    if found:
        kind, memory, time = found.group(1), int(found.group(2)), int(found.group(3))
        if kind != "argon2id":
            return Verdict(False, f"the hash is {kind}: use argon2id (resists both GPU and side-channel attacks)")
        if memory < ARGON2_MIN_MEMORY_KIB or time < ARGON2_MIN_TIME:
            return Verdict(False, f"argon2id with m={memory} KiB, t={time} is too cheap: use at least "
                                  f"m={ARGON2_MIN_MEMORY_KIB}, t={ARGON2_MIN_TIME} (argon2-cffi's defaults are fine)")
        return Verdict(True, "argon2id with a sane cost")
    found = BCRYPT.fullmatch(stored)
    if found:
        cost = int(found.group(1))
        if cost < BCRYPT_MIN_COST:
            return Verdict(False, f"bcrypt with cost {cost} is too cheap: use at least {BCRYPT_MIN_COST}")
        return Verdict(True, "bcrypt with a sane cost")
    return Verdict(False, "the stored value is not an argon2id or bcrypt hash in its standard encoded form "
                          "($argon2id$… or $2b$…), which carries its own salt and cost")


def verifies(stored: str, password: str) -> bool:
    """Does the stored hash accept this password (argon2 or bcrypt)?"""
    try:
        if stored.startswith("$argon2"):
            return argon2.PasswordHasher().verify(stored, password)
        if stored.startswith("$2"):
            return bcrypt.checkpw(password.encode()[:72], stored.encode())
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError, ValueError):
        return False
    return False
