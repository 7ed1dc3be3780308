"""One Cypher round trip per root field, however deeply the selection nests; and the
answers are identical to the field-by-field (batch loader) path."""

from dataclasses import replace

import httpx
import pytest

from tests.conftest import Server, post_counting
from tests.queries import DEEP, QUERIES


@pytest.fixture(scope="module")
def walked(settings):
    """The same service with prefetching off: every level asks the batch loaders."""
    with (
        Server(replace(settings, prefetch=False)) as srv,
        httpx.Client(base_url=srv.url, timeout=30) as http,
    ):
        yield srv, http


@pytest.mark.parametrize(("query", "variables"), QUERIES)
def test_one_query_per_root_field(server, http, query, variables):
    body, sent = post_counting(server, http, query, variables)
    assert len(sent) == len(body["data"]), sent


def test_two_root_fields_two_queries(server, http):
    query = '{ a: entity(id: "potevio") { name } b: entity(id: "bank-of-china") { name } }'
    _, sent = post_counting(server, http, query, None)
    assert len(sent) == 2


@pytest.mark.parametrize(("query", "variables"), QUERIES)
def test_same_answer_as_field_by_field(server, http, walked, query, variables):
    fast, _ = post_counting(server, http, query, variables)
    slow_server, slow_http = walked
    slow, sent = post_counting(slow_server, slow_http, query, variables)
    assert fast == slow
    assert len(sent) > len(slow["data"])  # the comparison really exercised the other path


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_include_and_skip_are_applied(gql):
    assert {"people", "lender"} <= _keys(gql(DEEP, {"withPeople": True, "skipCredits": False}))
    keys = _keys(gql(DEEP, {"withPeople": False, "skipCredits": True}))
    assert "people" not in keys
    assert "lender" not in keys
