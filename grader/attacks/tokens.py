"""JSON Web Tokens built by hand, so that the broken ones can be built too: a library refuses to
write `alg: none`, to sign HS256 with a public key, or to leave the signature off — which is exactly
what an attacker (jwt_tool, Burp's JWT scanner) sends. Compact JWS, RFC 7515/7519."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from grader.checks.problems import Mismatch


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _segment(value: Mapping[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def signing_input(header: Mapping[str, Any], claims: Mapping[str, Any]) -> str:
    return f"{_segment(header)}.{_segment(claims)}"


def es256(header: Mapping[str, Any], claims: Mapping[str, Any], key: ec.EllipticCurvePrivateKey) -> str:
    """A properly signed ES256 token (r || s, 32 bytes each, as JWS wants, not DER)."""
    data = signing_input({"alg": "ES256", "typ": "JWT", **header}, claims)
    r, s = decode_dss_signature(key.sign(data.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{data}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def hs256(header: Mapping[str, Any], claims: Mapping[str, Any], secret: bytes) -> str:
    """HMAC-SHA256 with any bytes as the secret — including a public key's PEM (key confusion)."""
    data = signing_input({"alg": "HS256", "typ": "JWT", **header}, claims)
    return f"{data}.{b64url(hmac.new(secret, data.encode(), hashlib.sha256).digest())}"


def unsigned(header: Mapping[str, Any], claims: Mapping[str, Any], alg: str = "none") -> str:
    """`alg: none` and an empty signature: 'trust me'."""
    return signing_input({"typ": "JWT", **header, "alg": alg}, claims) + "."


def strip_signature(token: str) -> str:
    head, body, _ = token.split(".")[:3]
    return f"{head}.{body}."


def swap_claims(token: str, claims: Mapping[str, Any]) -> str:
    """Keep the header and the signature, replace the payload: a signature that does not match."""
    header_of(token)
    head, _, signature = token.split(".")[:3]
    return f"{head}.{_segment(claims)}.{signature}"


def _part(token: object, index: int) -> dict[str, Any]:
    try:
        value = json.loads(b64url_decode(str(token).split(".")[index]))
    except (IndexError, ValueError):
        raise Mismatch("the token your app issued is not a JWT (header.payload.signature, base64url JSON)") from None
    if not isinstance(value, dict):
        raise Mismatch("the token your app issued is not a JWT: its header and payload must be JSON objects")
    return value


def claims_of(token: object) -> dict[str, Any]:
    """The payload, unverified (the grader reads what the learner's app issued)."""
    return _part(token, 1)


def header_of(token: object) -> dict[str, Any]:
    return _part(token, 0)


def public_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def public_jwk(key: ec.EllipticCurvePrivateKey, kid: str) -> dict[str, str]:
    numbers = key.public_key().public_numbers()
    return {"kty": "EC", "crv": "P-256", "kid": kid, "x": b64url(numbers.x.to_bytes(32, "big")),
            "y": b64url(numbers.y.to_bytes(32, "big"))}


def attacker_key(seed: int) -> ec.EllipticCurvePrivateKey:
    """A key the service has never seen: fixed per seed, so a verdict is the same on every run."""
    return ec.derive_private_key(0x5EED_0000 + seed * 7919, ec.SECP256R1())
