"""Password hashing. This starter works — and is exactly how passwords leak: see README, task 1.

TODO: replace SHA-256 with a memory-hard password hash from a well-kept library (argon2-cffi or
bcrypt), verify with the library (constant time), and tell when a stored hash needs upgrading.
"""

import hashlib

MIN_LENGTH = 8


def policy_problem(password):
    """Why this password may not be chosen, or None."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        return f"at least {MIN_LENGTH} characters"
    return None


def hash_password(password):
    return hashlib.sha256(password.encode()).hexdigest()  # fast and unsalted: guessed billions of times a second


def verify_password(stored, password):
    return hash_password(password) == stored  # `==` stops at the first differing character


def needs_rehash(stored):
    return False
