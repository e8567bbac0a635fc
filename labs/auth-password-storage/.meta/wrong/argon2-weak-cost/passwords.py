"""Password hashing: argon2id from argon2-cffi, turned down to 8 MiB and one pass because logins felt slow.

The encoded hash carries its own algorithm, parameters and random salt, so a change of parameters
is visible in every stored hash, and `needs_rehash` can upgrade each one at its owner's next login.
"""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)  # "faster logins"
MIN_LENGTH = 8
MAX_LENGTH = 1000
# Verified when the e-mail is unknown, so that an unknown user costs the same time as a known one.
DUMMY_HASH = HASHER.hash("a password nobody has, hashed once at start-up")


def policy_problem(password):
    """Why this password may not be chosen, or None. Long passphrases, spaces and any letters are welcome."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        return f"at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"at most {MAX_LENGTH} characters"
    return None


def hash_password(password):
    return HASHER.hash(password)


def verify_password(stored, password):
    """True when `password` matches; the library compares in constant time."""
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored):
    return HASHER.check_needs_rehash(stored)
