"""API-key Cypher: parameters only, and no query but the verification one returns a hash."""

from graph.cypher import auth as q


def test_create_passes_every_value_as_a_parameter():
    name = 'O\'Brien "quoted" }) DETACH DELETE n //'
    text, params = q.create_api_key("abc", name, "editor", "f00d")
    assert params == {"id": "abc", "name": name, "role": "editor", "hash": "f00d"}
    assert "O'Brien" not in text
    assert "f00d" not in text
    assert "hash: $hash" in text


def test_only_verification_returns_the_hash():
    for text, _ in (q.create_api_key("a", "n", "reader", "h"), q.revoke_api_key("a"), q.api_keys()):
        returned = text.split("RETURN", 1)[1]
        assert "hash" not in returned
    text, params = q.api_key_for_verification("a")
    assert "k.hash AS hash" in text
    assert params == {"id": "a"}


def test_revoking_twice_keeps_the_first_time():
    text, params = q.revoke_api_key("a")
    assert "coalesce(k.revokedAt, datetime())" in text
    assert params == {"id": "a"}


def test_the_id_constraint_is_idempotent():
    assert "IF NOT EXISTS" in q.API_KEY_CONSTRAINT
    assert "REQUIRE k.id IS UNIQUE" in q.API_KEY_CONSTRAINT
