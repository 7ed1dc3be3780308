"""Settings for access control: parsed strictly, refused at start when unsafe."""

import pytest

from graph.settings import Settings

SECRET = "s" * 32


def test_reads_are_open_and_no_jwt_by_default():
    settings = Settings.from_env({})
    assert settings.read_requires_token is False
    assert settings.accepts_jwt is False
    assert settings.jwt_role_claim == "role"


@pytest.mark.parametrize(("raw", "on"), [("1", True), ("true", True), ("0", False), ("", False)])
def test_read_requires_token(raw, on):
    assert Settings.from_env({"READ_REQUIRES_TOKEN": raw}).read_requires_token is on


def test_a_typo_in_a_security_switch_is_refused():
    with pytest.raises(SystemExit, match="READ_REQUIRES_TOKEN"):
        Settings.from_env({"READ_REQUIRES_TOKEN": "ture"})


def test_jwt_needs_an_audience():
    with pytest.raises(SystemExit, match="JWT_AUDIENCE"):
        Settings.from_env({"JWT_HS256_SECRET": SECRET})


def test_short_hs256_secret_refused():
    with pytest.raises(SystemExit, match="32 bytes"):
        Settings.from_env({"JWT_HS256_SECRET": "short", "JWT_AUDIENCE": "a"})


def test_secret_not_in_repr():
    settings = Settings.from_env({"JWT_HS256_SECRET": SECRET, "JWT_AUDIENCE": "a"})
    assert SECRET not in repr(settings)


def test_pem_text_with_escaped_newlines():
    raw = "-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----"
    settings = Settings.from_env({"JWT_RS256_PUBLIC_KEY": raw, "JWT_AUDIENCE": "a"})
    assert settings.jwt_rs256_public_key.splitlines()[1] == "AAAA"


def test_missing_pem_file_refused(tmp_path):
    with pytest.raises(SystemExit, match="cannot read"):
        Settings.from_env({"JWT_RS256_PUBLIC_KEY": str(tmp_path / "nope.pem"), "JWT_AUDIENCE": "a"})
