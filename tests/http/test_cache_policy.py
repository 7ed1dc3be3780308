"""graph/http/caching.py without a database: which `If-None-Match` matches, and the
`Cache-Control` each caller gets from the settings."""

from __future__ import annotations

import pytest

from graph.auth.roles import ANONYMOUS, Principal, Role
from graph.http.caching import CachePolicy, if_none_match
from graph.settings import Settings

TAG = 'W/"7-abc"'
EDITOR = Principal(subject="k1", role=Role.parse("editor"), via="api-key")


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (TAG, True),
        ('"7-abc"', True),  # weak comparison
        ('W/"1-x", W/"7-abc"', True),
        ('W/"7-abd"', False),
        ("*", False),  # decided before the operation is known: never a 304
        ('*, W/"1-x"', False),
        ("", False),
        (None, False),
    ],
)
def test_if_none_match(header, matches):
    assert if_none_match(header, TAG) is matches


def test_authenticated_answers_are_revalidated_unless_the_operator_opts_in():
    policy = CachePolicy.from_settings(Settings.from_env({"CACHE_MAX_AGE": "60"}))
    assert policy.cache_control(ANONYMOUS) == "public, max-age=60"
    assert policy.cache_control(EDITOR) == "private, no-cache"
    own = Settings.from_env({"CACHE_MAX_AGE": "60", "CACHE_MAX_AGE_AUTHENTICATED": "20"})
    assert CachePolicy.from_settings(own).cache_control(EDITOR) == "private, max-age=20"
    shared = Settings.from_env({"CACHE_SHARE_AUTHENTICATED": "1"})
    assert CachePolicy.from_settings(shared).cache_control(EDITOR) == "public, no-cache"
    assert CachePolicy().cache_control(ANONYMOUS) == "public, no-cache"


def test_negative_max_ages_are_refused():
    with pytest.raises(SystemExit, match="CACHE_MAX_AGE_AUTHENTICATED must be 0 or more"):
        Settings.from_env({"CACHE_MAX_AGE_AUTHENTICATED": "-1"})
