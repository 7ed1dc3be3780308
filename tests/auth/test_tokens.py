"""JWT verification, without a database: HS256 and RS256 keys made here."""

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from graph.auth.roles import Role
from graph.auth.tokens import JwtVerifier
from graph.errors import Unauthenticated
from graph.settings import Settings

SECRET = "a-shared-secret-of-at-least-32-bytes!"
AUDIENCE = "ipkg-api"


def rsa_pair() -> tuple[rsa.RSAPrivateKey, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public_pem


@pytest.fixture(scope="module")
def rsa_keys() -> tuple[rsa.RSAPrivateKey, str]:
    return rsa_pair()


def verifier(**env: str) -> JwtVerifier:
    settings = Settings.from_env({"JWT_AUDIENCE": AUDIENCE, **env})
    made = JwtVerifier.from_settings(settings)
    assert made is not None
    return made


def claims(**overrides) -> dict:
    base = {"sub": "alice", "aud": AUDIENCE, "role": "editor", "exp": int(time.time()) + 600}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def hs256(**overrides) -> str:
    return jwt.encode(claims(**overrides), SECRET, algorithm="HS256")


def test_hs256_token_gives_subject_and_role():
    principal = verifier(JWT_HS256_SECRET=SECRET).verify(hs256())
    assert (principal.subject, principal.role, principal.via) == ("alice", Role.EDITOR, "jwt")


def test_rs256_token_with_pem_text(rsa_keys):
    private, public_pem = rsa_keys
    token = jwt.encode(claims(role="admin"), private, algorithm="RS256")
    principal = verifier(JWT_RS256_PUBLIC_KEY=public_pem).verify(token)
    assert principal.role is Role.ADMIN


def test_rs256_public_key_from_a_path(rsa_keys, tmp_path):
    private, public_pem = rsa_keys
    path = tmp_path / "public.pem"
    path.write_text(public_pem)
    token = jwt.encode(claims(), private, algorithm="RS256")
    assert verifier(JWT_RS256_PUBLIC_KEY=str(path)).verify(token).subject == "alice"


def test_rs256_token_signed_by_another_key(rsa_keys):
    _, public_pem = rsa_keys
    other, _ = rsa_pair()
    token = jwt.encode(claims(), other, algorithm="RS256")
    with pytest.raises(Unauthenticated, match="Signature verification failed"):
        verifier(JWT_RS256_PUBLIC_KEY=public_pem).verify(token)


def test_both_algorithms_configured_each_checked_with_its_own_key(rsa_keys):
    private, public_pem = rsa_keys
    both = verifier(JWT_HS256_SECRET=SECRET, JWT_RS256_PUBLIC_KEY=public_pem)
    assert both.verify(hs256()).via == "jwt"
    assert both.verify(jwt.encode(claims(), private, algorithm="RS256")).via == "jwt"


def test_hs256_token_refused_when_only_rs256_is_configured(rsa_keys):
    _, public_pem = rsa_keys
    with pytest.raises(Unauthenticated, match="HS256"):
        verifier(JWT_RS256_PUBLIC_KEY=public_pem).verify(hs256())


def forge_hs256(payload: dict, secret: bytes) -> str:
    """An HS256 token made by hand: PyJWT itself refuses a PEM as an HMAC secret."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = json.dumps({"alg": "HS256", "typ": "JWT"}).encode()
    signing_input = f"{b64(header)}.{b64(json.dumps(payload).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def test_algorithm_confusion_public_key_as_hmac_secret(rsa_keys):
    # The classic attack: sign HS256 with the (public) RSA key's PEM text as the secret.
    _, public_pem = rsa_keys
    token = forge_hs256(claims(role="admin"), public_pem.encode())
    with pytest.raises(Unauthenticated):
        verifier(JWT_RS256_PUBLIC_KEY=public_pem).verify(token)
    with pytest.raises(Unauthenticated, match="Signature verification failed"):
        verifier(JWT_RS256_PUBLIC_KEY=public_pem, JWT_HS256_SECRET=SECRET).verify(token)


def test_unsigned_token_refused():
    token = jwt.encode(claims(), None, algorithm="none")
    with pytest.raises(Unauthenticated, match="'none'"):
        verifier(JWT_HS256_SECRET=SECRET).verify(token)


def test_bad_signature():
    token = jwt.encode(claims(), "another-secret-also-32-bytes-long!!", algorithm="HS256")
    with pytest.raises(Unauthenticated, match="Signature verification failed"):
        verifier(JWT_HS256_SECRET=SECRET).verify(token)


def test_wrong_audience():
    with pytest.raises(Unauthenticated, match="Audience doesn.t match"):
        verifier(JWT_HS256_SECRET=SECRET).verify(hs256(aud="someone-else"))


def test_missing_audience():
    with pytest.raises(Unauthenticated, match='"aud"'):
        verifier(JWT_HS256_SECRET=SECRET).verify(hs256(aud=None))


def test_expired():
    token = hs256(exp=int(time.time()) - 3600)
    with pytest.raises(Unauthenticated, match="expired"):
        verifier(JWT_HS256_SECRET=SECRET).verify(token)


def test_missing_exp():
    with pytest.raises(Unauthenticated, match='"exp"'):
        verifier(JWT_HS256_SECRET=SECRET).verify(hs256(exp=None))


def test_missing_sub():
    with pytest.raises(Unauthenticated, match='"sub"'):
        verifier(JWT_HS256_SECRET=SECRET).verify(hs256(sub=None))


def test_unknown_role():
    with pytest.raises(Unauthenticated, match="no known role"):
        verifier(JWT_HS256_SECRET=SECRET).verify(hs256(role="superuser"))


def test_missing_role():
    with pytest.raises(Unauthenticated, match="no known role"):
        verifier(JWT_HS256_SECRET=SECRET).verify(hs256(role=None))


def test_role_from_a_configured_claim_holding_a_list():
    check = verifier(JWT_HS256_SECRET=SECRET, JWT_ROLE_CLAIM="kg_roles")
    token = hs256(role=None, kg_roles=["viewer", "reader", "editor"])
    assert check.verify(token).role is Role.EDITOR


def test_issuer_checked_when_configured():
    check = verifier(JWT_HS256_SECRET=SECRET, JWT_ISSUER="https://issuer.example")
    assert check.verify(hs256(iss="https://issuer.example")).subject == "alice"
    with pytest.raises(Unauthenticated, match="issuer"):
        check.verify(hs256(iss="https://elsewhere.example"))
    with pytest.raises(Unauthenticated, match='"iss"'):
        check.verify(hs256())


def test_garbage_is_refused():
    with pytest.raises(Unauthenticated):
        verifier(JWT_HS256_SECRET=SECRET).verify("not.a.jwt")


def test_no_jwt_key_configured_means_no_verifier():
    assert JwtVerifier.from_settings(Settings.from_env({})) is None
