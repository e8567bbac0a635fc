"""Access tokens with joserfc: ES256 only, the key from the configuration, claims validated by a registry."""

import os
import time

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

PRIVATE_KEY = ECKey.import_key(os.environ["JWT_PRIVATE_KEY"])
PUBLIC_KEY = ECKey.import_key(os.environ["JWT_PUBLIC_KEY"])
KID = os.environ["JWT_KID"]
ISSUER = os.environ["JWT_ISSUER"]
AUDIENCE = os.environ["JWT_AUDIENCE"]
LIFETIME = int(os.environ.get("ACCESS_TOKEN_SECONDS", "900"))
CLAIMS = jwt.JWTClaimsRegistry(
    iss={"essential": True, "value": ISSUER},
    aud={"essential": True, "value": AUDIENCE},
    sub={"essential": True},
    exp={"essential": True},
)


def issue_access_token(user_id):
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": str(user_id), "iat": now, "nbf": now, "exp": now + LIFETIME}
    return jwt.encode({"alg": "ES256", "kid": KID}, claims, PRIVATE_KEY, algorithms=["ES256"])


def verify_access_token(token):
    try:
        claims = jwt.decode(token, PUBLIC_KEY, algorithms=["ES256"]).claims
        CLAIMS.validate(claims)
    except (JoseError, ValueError, TypeError):
        return None
    sub = claims["sub"]
    return int(sub) if isinstance(sub, str) and sub.isdigit() else None
