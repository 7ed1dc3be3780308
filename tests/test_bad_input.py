"""Every out-of-range or malformed argument gives BAD_USER_INPUT with the allowed range;
an unknown id is null, not an error; nothing internal leaks into a response."""

import pytest

BAD = [
    (
        '{ shortestPath(fromId: "bank-of-beijing", toId: "potevio", maxHops: 11) { length } }',
        "`maxHops` must be between 1 and 10",
    ),
    (
        '{ shortestPath(fromId: "bank-of-beijing", toId: "potevio", maxHops: 0) { length } }',
        "`maxHops` must be between 1 and 10",
    ),
    (
        '{ neighborhood(id: "bank-of-beijing", hops: 4) { truncated } }',
        "`hops` must be between 1 and 3",
    ),
    (
        '{ neighborhood(id: "bank-of-beijing", hops: 0) { truncated } }',
        "`hops` must be between 1 and 3",
    ),
    (
        '{ neighborhood(id: "bank-of-beijing", limit: 0) { truncated } }',
        "`limit` must be between 1 and 1000",
    ),
    (
        '{ neighborhood(id: "bank-of-beijing", limit: 100000) { truncated } }',
        "`limit` must be between 1 and 1000",
    ),
    ('{ search(text: "bank", first: 0) { score } }', "`first` must be between 1 and 100"),
    ('{ search(text: "bank", first: 101) { score } }', "`first` must be between 1 and 100"),
    ('{ search(text: "") { score } }', "`text` must not be empty"),
    ('{ search(text: "  \\t ") { score } }', "`text` must not be empty"),
    (
        '{ entity(id: "bank-of-beijing") { relationships(first: 0) { type } } }',
        "`first` must be between 1 and 500",
    ),
    (
        '{ entity(id: "bank-of-beijing") { relationships(first: 501) { type } } }',
        "`first` must be between 1 and 500",
    ),
    (
        '{ entity(id: "bank-of-beijing") { relationships(types: ["NOPE"]) { type } } }',
        "Relationship type 'NOPE' is not declared; the declared types are ADMINISTERS, ",
    ),
    (
        '{ shortestPath(fromId: "a", toId: "b", types: ["MENTIONS"]) { length } }',
        "Relationship type 'MENTIONS' is not declared",
    ),
]


@pytest.mark.parametrize(("query", "message"), BAD)
def test_bad_argument_is_bad_user_input(gql, query, message):
    error = gql.error(query)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in error["message"]


@pytest.mark.parametrize(
    "query",
    [
        '{ entity(id: "no-such-entity") { id name } }',
        '{ shortestPath(fromId: "no-such-entity", toId: "potevio") { length } }',
    ],
)
def test_unknown_id_is_null(gql, query):
    data = gql(query)
    assert list(data.values()) == [None]


def test_unknown_id_neighborhood_is_empty(gql):
    data = gql('{ neighborhood(id: "no-such-entity") { nodes { id } edges { type } } }')
    assert data["neighborhood"] == {"nodes": [], "edges": []}


def test_syntax_and_validation_errors_have_codes(gql):
    assert gql.error("{ entity(id: 1 }")["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    error = gql.error("{ nothingHere }")
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "nothingHere" in error["message"]


def test_errors_never_carry_internals(gql):
    body = gql.raw(
        '{ a: search(text: "") { score } b: neighborhood(id: "x", hops: 9) { truncated } }'
    )
    text = str(body)
    for leak in ("Traceback", "neo4j", "Neo.", 'File "', "stacktrace"):
        assert leak not in text
