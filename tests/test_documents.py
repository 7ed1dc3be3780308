"""Documents parsed and validated once (graph/extensions/documents.py): the second time a
text comes, it is neither parsed nor put through the standard rules again, and yet every
answer is what it would have been: invalid documents stay invalid, and the request's own
limits (graph/extensions/limits.py, which depend on its variables) are still checked each
time."""

from __future__ import annotations

import pytest

from graph.extensions import documents
from graph.schema import schema

pytestmark = pytest.mark.neo4j


def _key(query: str) -> tuple:
    return (id(schema), query, ())


def _remembered(query: str):
    return documents._parsed.get(_key(query))


def _valid(query: str) -> bool:
    return (id(schema), query) in documents._valid


def test_a_repeated_document_is_parsed_once_and_answers_the_same(gql):
    query = '{ entity(id: "potevio") { id name kind } }'
    first = gql(query)
    parsed = _remembered(query)
    assert parsed is not None
    assert _valid(query)
    assert gql(query) == first
    # The same document object served the second request.
    assert _remembered(query) is parsed


def test_an_invalid_document_stays_invalid(gql):
    query = '{ entity(id: "potevio") { noSuchField } }'
    for _ in range(3):
        error = gql.error(query)
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "noSuchField" in error["message"]
    assert not _valid(query)


def test_limits_still_apply_to_a_remembered_document(gql):
    query = """query ($n: Int!, $m: Int = 500) { organizations(first: $n) { edges { node {
        relationships(first: $m) { other { id } } } } } }"""
    assert gql(query, {"n": 2, "m": 2})["organizations"]["edges"]
    assert _valid(query)
    error = gql.error(query, {"n": 500})
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["limit"] == "cost"
    assert gql(query, {"n": 2, "m": 2})["organizations"]["edges"]


def test_a_syntax_error_is_reported_each_time(gql):
    for _ in range(2):
        error = gql.error("{ entity(id: ")
        assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


def test_the_engine_parses_and_validates_a_repeated_text_only_once(gql, monkeypatch):
    """Counts graphql-core's parse and Strawberry's validation as the engine calls them:
    the cache is proven engaged, not only the answers equal."""
    import uuid

    from strawberry.schema import schema as engine

    calls = {"parse": 0, "validate": 0}
    parse, validate = engine.parse, engine.validate_document

    def counted_parse(*args, **kwargs):
        calls["parse"] += 1
        return parse(*args, **kwargs)

    def counted_validate(*args, **kwargs):
        calls["validate"] += 1
        return validate(*args, **kwargs)

    monkeypatch.setattr(engine, "parse", counted_parse)
    monkeypatch.setattr(engine, "validate_document", counted_validate)
    # A text no other test sent, so the first request really is the first.
    query = f'{{ e{uuid.uuid4().hex}: entity(id: "potevio") {{ id name }} }}'
    first = gql(query)
    assert calls == {"parse": 1, "validate": 1}
    for _ in range(3):
        assert gql(query) == first
    assert calls == {"parse": 1, "validate": 1}


def test_a_very_large_text_is_answered_but_not_remembered(gql):
    """A document of one long string literal is within the token limit; keeping it would
    cost far more memory than its share, so it is parsed each time instead."""
    text = "x" * 100_000
    query = f'{{ search(text: "{text}", first: 1) {{ score }} }}'
    gql.raw(query)
    assert _remembered(query) is None
    assert documents._parsed.bytes <= documents.MAX_BYTES
