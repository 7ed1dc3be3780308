"""Settings of the hardening (limits, batching, logs, CORS, persisted queries): defaults,
parsing, and refusal of values that make no sense."""

from pathlib import Path

import pytest

from graph.settings import Settings


def test_defaults():
    settings = Settings.from_env({})
    assert (settings.max_query_depth, settings.max_aliases) == (15, 30)
    assert (settings.max_tokens, settings.max_query_cost) == (5000, 100_000)
    assert settings.max_body_bytes == 1_000_000
    assert settings.max_batch_operations == 10
    assert settings.log_format == "json"
    assert settings.cors_origins == ()
    assert settings.persisted_queries_cache == 1000
    assert settings.persisted_queries_only is False
    assert settings.persisted_queries_manifest is None


def test_values_are_read():
    settings = Settings.from_env(
        {
            "MAX_QUERY_DEPTH": "8",
            "MAX_ALIASES": "0",
            "MAX_TOKENS": "900",
            "MAX_QUERY_COST": "2500",
            "MAX_BODY_BYTES": "4096",
            "MAX_BATCH_OPERATIONS": "0",
            "LOG_FORMAT": "TEXT",
            "CORS_ORIGINS": " https://a.example.org/, http://localhost:5173 ,",
            "PERSISTED_QUERIES_CACHE": "5",
            "PERSISTED_QUERIES_ONLY": "1",
            "PERSISTED_QUERIES_MANIFEST": "/tmp/manifest.json",
        }
    )
    assert settings.max_query_depth == 8
    assert settings.max_aliases == 0
    assert settings.max_tokens == 900
    assert settings.max_query_cost == 2500
    assert settings.max_body_bytes == 4096
    assert settings.max_batch_operations == 0
    assert settings.log_format == "text"
    assert settings.cors_origins == ("https://a.example.org", "http://localhost:5173")
    assert settings.persisted_queries_cache == 5
    assert settings.persisted_queries_only is True
    assert settings.persisted_queries_manifest == Path("/tmp/manifest.json")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MAX_QUERY_DEPTH": "0"}, "MAX_QUERY_DEPTH must be at least 1"),
        ({"MAX_QUERY_COST": "-5"}, "MAX_QUERY_COST must be at least 1"),
        ({"MAX_BATCH_OPERATIONS": "-1"}, "MAX_BATCH_OPERATIONS must be 0 or more"),
        ({"MAX_TOKENS": "many"}, "MAX_TOKENS must be an integer"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT must be one of"),
        ({"CORS_ORIGINS": "example.org"}, "is not an origin"),
        ({"PERSISTED_QUERIES_ONLY": "yes please"}, "PERSISTED_QUERIES_ONLY must be 1 or 0"),
    ],
)
def test_nonsense_is_refused(env, message):
    with pytest.raises(SystemExit, match=message):
        Settings.from_env(env)


def test_subscription_settings():
    settings = Settings.from_env({})
    assert (settings.subscription_max_replay, settings.websocket_ping_s) == (1000, 15.0)
    settings = Settings.from_env({"SUBSCRIPTION_MAX_REPLAY": "50", "WEBSOCKET_PING_S": "0.5"})
    assert (settings.subscription_max_replay, settings.websocket_ping_s) == (50, 0.5)
    for env, message in [
        ({"SUBSCRIPTION_MAX_REPLAY": "0"}, "SUBSCRIPTION_MAX_REPLAY must be at least 1"),
        ({"WEBSOCKET_PING_S": "0"}, "WEBSOCKET_PING_S must be more than 0 seconds"),
        ({"WEBSOCKET_PING_S": "soon"}, "WEBSOCKET_PING_S must be a number of seconds"),
    ]:
        with pytest.raises(SystemExit, match=message):
            Settings.from_env(env)
