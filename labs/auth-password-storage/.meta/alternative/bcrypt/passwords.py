"""Password hashing with bcrypt (cost 11), migrating the argon2id hashes already in the table.

bcrypt reads only the first 72 bytes of a password, so longer ones are refused rather than cut.
Hashes made by another scheme (the old argon2id ones) are verified with argon2-cffi and replaced by
a bcrypt hash at their owner's next login, like any hash whose cost is below the current one.
"""

import hmac

import bcrypt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

COST = 11
MIN_LENGTH = 8
MAX_BYTES = 72
LEGACY = PasswordHasher()
DUMMY_HASH = bcrypt.hashpw(b"a password nobody has", bcrypt.gensalt(COST)).decode()


def policy_problem(password):
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        return f"at least {MIN_LENGTH} characters"
    if len(password.encode()) > MAX_BYTES:
        return f"at most {MAX_BYTES} bytes (bcrypt reads no further)"
    return None


def hash_password(password):
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(COST)).decode()


def verify_password(stored, password):
    if stored.startswith("$argon2"):
        try:
            return LEGACY.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    encoded = password.encode()
    if len(encoded) > MAX_BYTES:
        return False
    return hmac.compare_digest(bcrypt.hashpw(encoded, stored.encode()), stored.encode())


def needs_rehash(stored):
    return not stored.startswith("$2b$") or int(stored.split("$")[2]) < COST
