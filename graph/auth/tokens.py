"""JWT verification (PyJWT): HS256 with a shared secret and/or RS256 with a PEM public key.

Audience and expiry are always checked (`exp`, `sub` and `aud` required), the issuer
when JWT_ISSUER is set. The role comes from one claim (JWT_ROLE_CLAIM, default `role`):
a role name, or a list of names of which the highest known one counts. A token without
a known role is refused rather than given a default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from graph.auth.roles import Principal, Role
from graph.errors import Unauthenticated
from graph.settings import Settings

# Clock difference tolerated between the token's issuer and this service.
LEEWAY_S = 30


@dataclass(frozen=True)
class JwtVerifier:
    keys: Mapping[str, Any]  # algorithm -> key; the algorithm is never taken from the token
    audience: str
    issuer: str = ""
    role_claim: str = "role"

    @classmethod
    def from_settings(cls, settings: Settings) -> JwtVerifier | None:
        """None when no JWT key is configured (then only API keys are accepted)."""
        keys: dict[str, Any] = {}
        if settings.jwt_hs256_secret:
            keys["HS256"] = settings.jwt_hs256_secret
        if settings.jwt_rs256_public_key:
            keys["RS256"] = _rsa_public_key(settings.jwt_rs256_public_key)
        if not keys:
            return None
        return cls(
            keys=keys,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            role_claim=settings.jwt_role_claim,
        )

    def verify(self, token: str) -> Principal:
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
            key = self.keys.get(algorithm) if isinstance(algorithm, str) else None
            if key is None or not isinstance(algorithm, str):
                shown = repr(algorithm)[:40]  # the client's text: shown short
                raise Unauthenticated(f"Tokens signed with {shown} are not accepted.")
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer or None,
                leeway=LEEWAY_S,
                options={"require": ["exp", "sub", "aud", *(["iss"] if self.issuer else [])]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("The token has expired.") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(f"Invalid token: {str(exc).rstrip('.')}.") from exc
        role = self._role(claims.get(self.role_claim))
        if role is None:
            raise Unauthenticated(
                f"The token's {self.role_claim!r} claim names no known role "
                "(reader, editor or admin)."
            )
        subject = claims["sub"]
        if not isinstance(subject, str) or not subject:
            raise Unauthenticated("The token's 'sub' claim must be a non-empty string.")
        return Principal(subject=subject, role=role, via="jwt")

    @staticmethod
    def _role(value: object) -> Role | None:
        names = value if isinstance(value, list) else [value]
        known = []
        for name in names:
            try:
                known.append(Role.parse(name))
            except ValueError:
                continue
        return max(known, default=None)


def _rsa_public_key(pem: str) -> RSAPublicKey:
    try:
        key = load_pem_public_key(pem.encode())
    except ValueError as exc:
        raise SystemExit("JWT_RS256_PUBLIC_KEY is not a PEM public key") from exc
    if not isinstance(key, RSAPublicKey):
        raise SystemExit("JWT_RS256_PUBLIC_KEY is not an RSA key")
    return key
