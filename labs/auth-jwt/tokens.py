"""Access tokens (JWT). Issuing works; verifying is how the tutorials do it "for now" — and any
token anyone writes is accepted. See README, task 1.

TODO: verify the signature with the public key, ES256 only; require and check exp, iss and aud.
"""

import os
import time

import jwt

PRIVATE_KEY = os.environ["JWT_PRIVATE_KEY"]
PUBLIC_KEY = os.environ["JWT_PUBLIC_KEY"]
KID = os.environ["JWT_KID"]
ISSUER = os.environ["JWT_ISSUER"]
AUDIENCE = os.environ["JWT_AUDIENCE"]
LIFETIME = int(os.environ.get("ACCESS_TOKEN_SECONDS", "900"))


def issue_access_token(user_id):
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": str(user_id), "iat": now, "nbf": now, "exp": now + LIFETIME}
    return jwt.encode(claims, PRIVATE_KEY, algorithm="ES256", headers={"kid": KID})


def verify_access_token(token):
    """The user id the token was issued to, or None."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    sub = claims.get("sub")
    return int(sub) if isinstance(sub, str) and sub.isdigit() else None
