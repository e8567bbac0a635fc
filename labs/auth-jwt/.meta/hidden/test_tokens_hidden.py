"""Hidden checks: a token of another variant's key, and an access token for a user that does not exist."""

import time

import pytest

from grader.apps import expect
from grader.attacks import tokens as forge


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_the_public_variants_key_does_not_open_this_one(http, dataset, variant):
    """a token signed with the public variant's key is refused: the key comes from JWT_PUBLIC_KEY"""
    env, now = dataset.app_env(variant), int(time.time())
    claims = {"iss": env["JWT_ISSUER"], "aud": env["JWT_AUDIENCE"], "sub": str(dataset.users(variant)[0].id),
              "iat": now, "nbf": now, "exp": now + 300}
    token = forge.es256({"kid": env["JWT_KID"]}, claims, dataset.jwt_private_key("public"))
    response = http.get("/me", headers={"Authorization": f"Bearer {token}"})
    expect.status(response, 401, "read the public key from JWT_PUBLIC_KEY, never a copy in your code", reveal=False)
