"""Abuse limits: depth, aliases, tokens and estimated cost refused with QUERY_TOO_COMPLEX
before Neo4j is touched; the request body size, the batch cap, and the transaction
timeout on a slow query."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from graphql import get_introspection_query, parse

from graph.db import Database
from graph.errors import QueryTimeout
from graph.extensions.limits import (
    DOMAIN_LISTS,
    PROVENANCE_ESTIMATE,
    UNSIZED_LIST,
    Budget,
    Estimator,
    Limits,
    check_operation_limits,
    count_tokens,
)
from graph.http.playground import load_examples
from graph.schema import schema
from graph.settings import Settings
from tests.conftest import Server, run

SCHEMA = schema._schema


def nested(levels: int) -> str:
    """An entity's parent's parent's ... `levels` fields deep in all."""
    inner = "id"
    for _ in range(levels - 2):
        inner = f"... on Organization {{ parent {{ {inner} }} }}"
    return f'{{ entity(id: "potevio") {{ {inner} }} }}'


def errors_of(query: str, limits: Limits | None = None, variables: dict | None = None) -> list:
    return check_operation_limits(SCHEMA, parse(query), limits or Limits(), variables)


# ---------------------------------------------------------------- the estimator alone


def test_examples_explorer_and_introspection_fit_the_default_limits():
    for example in load_examples():
        assert errors_of(example["query"]) == [], example["title"]
        assert count_tokens(example["query"], 10_000) <= Limits().tokens
    explorer = [
        """query ($from: ID!, $type: String!) { entity(id: $from) {
          relationships(types: [$type], direction: OUT, first: 400) {
            other { id } properties
            provenance { paragraph locator source { id title publisher publishedOn url } } } } }""",
        """query ($id: ID!, $limit: Int!) { neighborhood(id: $id, hops: 1, limit: $limit) {
          truncated nodes { id name kind aliases } edges { type from to properties } } }""",
    ]
    for query in explorer:
        variables = {"from": "x", "type": "LENT", "id": "x", "limit": 1000}
        assert errors_of(query, variables=variables) == []
    assert errors_of(get_introspection_query(descriptions=True)) == []


def test_depth_counts_fields_through_fragments():
    assert errors_of(nested(15)) == []
    [error] = errors_of(nested(17))
    assert error.extensions == {
        "code": "QUERY_TOO_COMPLEX",
        "limit": "depth",
        "maximum": 15,
        "actual": 17,
    }
    assert "depth 17 is over the depth limit of 15 (by 2)" in error.message
    via_fragment = (
        "fragment P on Organization { parent { ... on Organization { parent { id } } } }"
        '{ entity(id: "x") { ... on Organization { parent { ...P } } } }'
    )
    assert errors_of(via_fragment, Limits(depth=5)) == []
    [error] = errors_of(via_fragment, Limits(depth=4))
    assert error.extensions["actual"] == 5


def test_aliases_are_counted_at_each_use_of_a_fragment():
    many = " ".join(f"a{i}: stats {{ sources }}" for i in range(31))
    [error] = errors_of("{ " + many + " }")
    assert error.extensions["limit"] == "aliases"
    assert "31 is over the aliases limit of 30 (by 1)" in error.message
    fragment = "fragment F on Query { x: stats { sources } y: stats { sources } } "
    assert errors_of(fragment + "{ ...F ...F }", Limits(aliases=3))[0].extensions["actual"] == 4


def test_cost_multiplies_list_sizes_through_the_nesting():
    query = """{ organizations(first: 500) { edges { node {
        relationships(first: 500) { other { id } } } } } }"""
    [error] = errors_of(query)
    assert error.extensions["limit"] == "cost"
    # 500 edges x (node + 500 relationships x (1 + other))
    assert error.extensions["actual"] == 1 * (1 + 500 * (1 + 1 * (1 + 500 * (1 + 1))))
    assert "over the cost limit of 100,000 (by " in error.message
    assert errors_of(query.replace("first: 500", "first: 10")) == []


def test_cost_uses_variables_and_defaults():
    query = """query ($n: Int!, $m: Int = 500) { organizations(first: $n) { edges { node {
        relationships(first: $m) { other { id } } } } } }"""
    assert errors_of(query, variables={"n": 500})[0].extensions["limit"] == "cost"
    assert errors_of(query, variables={"n": 5}) == []
    assert errors_of(query, variables={"n": 5, "m": 5}) == []


def test_cost_counts_hops_of_paths_and_neighbourhoods():
    wide = (
        '{ neighborhood(id: "x", hops: 3, limit: 1000) { nodes { provenance { source { id } } } } }'
    )
    [error] = errors_of(wide, Limits(cost=10_000))
    # 3 hops + 1000 nodes x (1 + 10 provenance x (1 + source)): provenance is estimated.
    assert error.extensions["actual"] == 3 + 1000 * (1 + PROVENANCE_ESTIMATE * (1 + 1))
    paths = '{ kShortestPaths(fromId: "a", toId: "b", k: 20, maxHops: 10) { nodes { id } } }'
    # 20 paths x (10 hops + 11 nodes)
    assert errors_of(paths, Limits(cost=200))[0].extensions["actual"] == 20 * (10 + 11)


def test_an_exponential_fragment_is_summarized_not_expanded(monkeypatch):
    levels = 40
    text = (
        "".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }} " for i in range(levels))
        + f"fragment F{levels} on Query {{ a: stats {{ sources }} }} {{ ...F0 }}"
    )
    visits = []
    field = Estimator.field

    def counted(self, node, parent, inner):
        visits.append(node.name.value)
        return field(self, node, parent, inner)

    monkeypatch.setattr(Estimator, "field", counted)
    errors = errors_of(text)
    # 2^40 uses of the innermost fragment, its two fields estimated once.
    assert visits == ["stats", "sources"]
    assert {e.extensions["limit"] for e in errors} == {"aliases", "cost"}


def test_nested_introspection_is_refused():
    evil = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    messages = [e.message for e in errors_of(evil)]
    assert "Maximum introspection depth exceeded" in messages
    deep = "{ __schema { types { fields { type { fields { type { fields { type { fields {"
    deep += " name } } } } } } } } } }"
    assert any("cost" in e.extensions.get("limit", "") for e in errors_of(deep) if e.extensions)


def test_tokens_are_counted_before_parsing():
    assert count_tokens("{ a(b: 1) { c } }", 100) == 11
    assert count_tokens("# only a comment\n{ a }", 100) == 3
    assert count_tokens("{ a " * 10_000, 50) == 50


def test_a_text_within_the_limit_is_lexed_once(monkeypatch):
    from graph.extensions import limits

    lexed: list[str] = []
    real = limits.count_tokens

    def counting(text: str, stop_after: int) -> int:
        lexed.append(text)
        return real(text, stop_after)

    monkeypatch.setattr(limits, "count_tokens", counting)
    small = "{ a(b: 1) { c } } # test_a_text_within_the_limit_is_lexed_once"
    assert limits.token_error(small, 100) is None
    assert limits.token_error(small, 100) is None
    assert lexed == [small]  # the second time, the remembered count
    # A lower limit than the count: refused, as when it was first seen.
    assert limits.token_error(small, 5) is not None
    large = "{ a }" + " { d }" * 40 + " # test_a_text_within_the_limit_is_lexed_once"
    for _ in range(2):
        error = limits.token_error(large, 100)
        assert error is not None
        assert error.extensions["code"] == "QUERY_TOO_COMPLEX"
    assert lexed.count(large) == 2  # over the limit: never remembered


# ---------------------------------------------------------------- through HTTP


@pytest.fixture
def no_queries(server: Server) -> Iterator[list[str]]:
    """Fails the test if any Cypher is sent while it runs."""
    sent: list[str] = []
    server.app.state.db.listeners.append(lambda text, params: sent.append(text))
    yield sent
    server.app.state.db.listeners.pop()
    assert sent == [], "a refused query reached Neo4j"


def test_each_limit_refused_over_http_before_neo4j(http, no_queries):
    cases = {
        "depth": nested(20),
        "aliases": "{ " + " ".join(f"a{i}: __typename" for i in range(40)) + " }",
        "tokens": '{ search(text: "x", kinds: [' + "BANK, " * 6000 + "]) { score } }",
        "cost": "{ organizations(first: 500) { edges { node { relationships(first: 500) "
        "{ other { relationships(first: 500) { type } } } } } } }",
    }
    for limit, query in cases.items():
        response = http.post("/graphql", json={"query": query})
        body = response.json()
        assert body["data"] is None, limit
        codes = {e["extensions"]["code"] for e in body["errors"]}
        assert codes == {"QUERY_TOO_COMPLEX"}, body
        assert limit in {e["extensions"]["limit"] for e in body["errors"]}
        assert any(f"over the {limit} limit of" in e["message"] for e in body["errors"])


def test_limits_come_from_settings(settings: Settings):
    strict = replace(settings, max_query_depth=2, max_aliases=1, max_query_cost=5, max_tokens=20)
    query = '{ entity(id: "potevio") { ... on Organization { parent { name } } } }'
    with Server(strict) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        [error] = http.post("/graphql", json={"query": query}).json()["errors"]
        assert error["extensions"]["limit"] == "depth"
        assert error["extensions"]["maximum"] == 2
        two = "{ a: stats { sources } b: stats { sources } }"
        body = http.post("/graphql", json={"query": two})
        assert {e["extensions"]["limit"] for e in body.json()["errors"]} == {"aliases"}
        body = http.post("/graphql", json={"query": "{ sources { id } }"}).json()
        assert body["errors"][0]["extensions"]["limit"] == "cost"  # 10 sources
        body = http.post("/graphql", json={"query": "{ " + "stats { sources } " * 8 + "}"}).json()
        assert body["errors"][0]["extensions"]["limit"] == "tokens"
        assert http.post("/graphql", json={"query": "{ stats { sources } }"}).json()["data"]


def test_a_body_over_the_limit_is_413_with_a_graphql_error(http, no_queries):
    padding = " " * 1_000_001
    response = http.post(
        "/graphql",
        content=('{"query": "{ stats { sources } }"' + padding + "}").encode(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert "over the limit of 1,000,000 bytes (by 35)" in error["message"]
    assert response.headers["x-request-id"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"query": "{ stats { sources } }"'
        for _ in range(20):
            yield b" " * 100_000
        yield b"}"

    response = http.post("/graphql", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_batches_run_up_to_the_cap(http):
    op = {"query": "{ stats { sources } }"}
    response = http.post("/graphql", json=[op, {"query": '{ entity(id: "potevio") { name } }'}])
    assert response.status_code == 200
    first, second = response.json()
    assert first["data"]["stats"]["sources"] >= 1
    assert second["data"]["entity"]["name"] == "Potevio"

    response = http.post("/graphql", json=[op] * 11)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {
        "code": "QUERY_TOO_COMPLEX",
        "limit": "operations",
        "maximum": 10,
        "actual": 11,
    }
    assert "11 is over the batch limit of 10 (by 1)" in error["message"]

    for bad in ([], [op, "not an object"]):
        response = http.post("/graphql", json=bad)
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_batching_can_be_turned_off(settings: Settings):
    with (
        Server(replace(settings, max_batch_operations=0)) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        response = http.post("/graphql", json=[{"query": "{ stats { sources } }"}])
        assert response.status_code == 400
        assert "turned off" in response.json()["errors"][0]["message"]


SLOW = ("UNWIND range(1, 1000000000) AS x WITH x WHERE x % 7919 = 1 RETURN count(x) AS n", {})


def test_the_transaction_timeout_stops_a_slow_query(settings: Settings):
    async def slow() -> tuple[float, float]:
        db = Database(replace(settings, query_timeout_s=1.0))
        try:
            started = time.monotonic()
            with pytest.raises(QueryTimeout):
                await db.read(SLOW)
            read_took = time.monotonic() - started

            started = time.monotonic()
            with pytest.raises(QueryTimeout):
                await db.transaction(lambda tx: tx.run(SLOW))
            return read_took, time.monotonic() - started
        finally:
            await db.close()

    read_took, tx_took = run(slow())
    assert read_took < 5, f"the read ran {read_took:.1f}s past a 1s timeout"
    assert tx_took < 5, f"the transaction ran {tx_took:.1f}s past a 1s timeout"


# ---------------------------------------------------------------- round 2 of the estimator

PAGE = """query ($n: Int!) { organizations(first: $n) {
  edges { node { id provenance { paragraph source { id } } } } } }"""


@pytest.mark.parametrize("sent", [1000, 1000.0])
def test_sizes_are_read_as_coerced_whatever_their_json_form(sent):
    """GraphQL coerces 1000.0 for an Int to 1000: the estimate must see 1000 too."""
    [error] = errors_of(PAGE, Limits(cost=10_000), {"n": sent})
    assert error.extensions["limit"] == "cost"
    # The page, its 1000 edges, each node and its provenance (with the source of each).
    assert error.extensions["actual"] == 1 + 1000 * (1 + 1 + PROVENANCE_ESTIMATE * 2)


def test_a_size_that_cannot_be_coerced_is_left_to_execution():
    # Not an Int: execution refuses it (BAD_USER_INPUT from graphql-core); the estimate
    # falls back to the argument's default rather than guessing.
    assert errors_of(PAGE, Limits(), {"n": 2.5}) == []


def test_a_variable_default_is_used_when_the_variable_is_not_sent():
    query = "query ($n: Int = 1000) { organizations(first: $n) { edges { node { id } } } }"
    [error] = errors_of(query, Limits(cost=500))
    assert error.extensions["actual"] == 1 + 1000 * 2


def _or_filter(branches: int) -> dict:
    return {"OR": [{"name": {"contains": f"x{i}"}} for i in range(branches)]}


def test_filter_clauses_are_capped_in_variables_and_literals():
    query = "query ($w: EntityWhere) { organizations(where: $w) { totalCount } }"
    assert errors_of(query, variables={"w": _or_filter(50)}) == []
    [error] = errors_of(query, variables={"w": _or_filter(500)})
    assert error.extensions["limit"] == "filterClauses"
    assert error.extensions["maximum"] == Limits().filter_clauses
    # Counting stops past the limit: a huge filter costs little to refuse.
    errors = errors_of(query, variables={"w": _or_filter(100_000)})
    assert {e.extensions["limit"] for e in errors} == {"filterClauses", "listItems"}
    literal = ", ".join(f'{{name: {{contains: "x{i}"}}}}' for i in range(150))
    [error] = errors_of(f"{{ organizations(where: {{OR: [{literal}]}}) {{ totalCount }} }}")
    assert error.extensions["limit"] == "filterClauses"
    assert error.extensions["actual"] > Limits().filter_clauses


def test_filters_count_in_the_cost():
    query = """query ($w: EntityWhere) {
      organizations(first: 100, where: $w) { edges { node { id } } } }"""
    [few] = [check_operation_limits(SCHEMA, parse(query), Limits(cost=1), {"w": _or_filter(2)})]
    [many] = [check_operation_limits(SCHEMA, parse(query), Limits(cost=1), {"w": _or_filter(40)})]
    # Each clause is checked per item of the page it filters.
    assert many[0].extensions["actual"] - few[0].extensions["actual"] == 38 * 2 * 100


def test_long_lists_in_arguments_are_capped():
    query = "query ($ids: [ID!]!) { connect(ids: $ids) { nodes { id } } }"
    [error] = errors_of(query, variables={"ids": [f"e{i}" for i in range(20_000)]})
    assert error.extensions["limit"] == "listItems"
    assert error.extensions["actual"] == 20_000


def test_a_batch_shares_one_budget():
    query = "{ organizations(first: 100) { edges { node { id name } } } }"
    cost = 1 + 100 * 2  # the page, its 100 edges and their nodes
    budget = Budget(cost * 3)
    for _ in range(3):
        assert check_operation_limits(SCHEMA, parse(query), Limits(), budget=budget) == []
    [error] = check_operation_limits(SCHEMA, parse(query), Limits(), budget=budget)
    assert error.extensions["limit"] == "cost"
    assert error.extensions["maximum"] == 0
    assert "shared budget" in error.message
    # Refused operations spend nothing: a cheaper one still fits what is left.
    assert budget.left == 0


def test_lists_without_a_size_count_at_what_they_can_return():
    """A list with no size argument counts as the planner's default list, unless the
    domain declaration bounds it (its kinds)."""
    [error] = errors_of("{ domain { kinds { properties { name } } } }", Limits(cost=10))
    assert error.extensions["actual"] == 1 + DOMAIN_LISTS["kinds"] * (1 + UNSIZED_LIST)
