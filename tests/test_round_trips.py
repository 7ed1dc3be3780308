"""One Cypher round trip per root field, however deeply the selection nests; and the
answers are identical to the field-by-field (batch loader) path."""

from dataclasses import replace

import httpx
import pytest

from tests.conftest import Server

DEEP = """
query Deep($withPeople: Boolean!, $skipCredits: Boolean!) {
  entity(id: "bank-of-beijing") {
    ...Names
    provenance { paragraph source { title } }
    relationships(types: ["PARTY_TO", "LENT"], direction: OUT) {
      type
      provenance { paragraph }
      other {
        ...Names
        ... on Agreement {
          totalCredit { amount currency }
          parties(first: 10) {
            role
            party {
              ...Names
              ... on Organizational {
                people(first: 10) @include(if: $withPeople) { title person { name } }
                agreements(first: 10) { agreement { id } }
              }
            }
          }
        }
        ... on Credit {
          borrower {
            ...Names
            ... on Organization { patents(first: 10) { name
              ... on Patent { secures(first: 10) { id } } } }
          }
          lender @skip(if: $skipCredits) { id }
        }
      }
    }
    ... on Bank {
      creditsGranted(first: 10) { id
        ... on Credit { amount { amount } securedBy(first: 10) { name } } }
      alias: credits(first: 10) { id }
    }
  }
}
fragment Names on Entity { id name kind }
"""

# Relationship connections nested three levels deep, with filters, sorting, cursors,
# counts and aggregates at each level: still one query for the root field.
PAGED = """
query Paged($after: String) {
  banks(first: 5) {
    edges { node { name
      creditsGrantedConnection(first: 2, after: $after, orderBy: {key: AMOUNT, direction: DESC}) {
        totalCount pageInfo { hasNextPage endCursor }
        aggregate { count totals { currency amount count } dates { earliest } }
        edges { cursor provenance { paragraph } node { id ... on Credit {
          borrower { name }
          securedByConnection(first: 5) { totalCount edges { node { name
            ... on Patent { owner { name
              ... on Organization { patentsConnection(first: 1) { totalCount
                edges { node { id } } } } } } } } } } } } }
      agreementsConnection(edge: {role: {equals: "lender"}}, orderBy: {key: ROLE}) {
        totalCount edges { role node { name ... on Agreement {
          partiesConnection(orderBy: {key: ROLE, direction: DESC}, first: 3) {
            totalCount edges { role node { id } } }
          parties(first: 2, where: {kinds: [BANK]}) { role party { id } } } } } }
      relationshipsConnection(first: 3, types: ["PARTY_TO", "LENT"]) { totalCount
        edges { cursor node { type other { id } } } }
    } }
  }
}
"""

QUERIES = [
    (PAGED, {"after": None}),
    (DEEP, {"withPeople": True, "skipCredits": False}),
    (DEEP, {"withPeople": False, "skipCredits": True}),
    (
        """{ search(text: "Zhongguancun", first: 5) { score entity { id name
             relationships { type other { id ... on Organization { parent { name } } } } } } }""",
        None,
    ),
    (
        """{ shortestPath(fromId: "bank-of-china", toId: "potevio") { length
             nodes { id provenance { paragraph } relationships(first: 3) { type other { id } } }
             edges { type from to } } }""",
        None,
    ),
    (
        """{ neighborhood(id: "zhongguancun-ip-service-alliance-launch-ceremony", hops: 2) {
             truncated nodes { id ... on Person { positions { title organization { name
             ... on Organization { parent { name } } } } } } edges { type from to } } }""",
        None,
    ),
    (
        """{ people(first: 5, where: {related: [{type: "HOLDS_POSITION"}]}) { totalCount
             edges { node { name positions { title organization { name
             ... on Organizational { units { name } } } }
             comments { summary about { name } provenance { paragraph } } } } } }""",
        None,
    ),
    (
        """{ allShortestPaths(fromId: "bank-of-china", toId: "potevio") { length
             nodes { id relationships(first: 2) { other { id } } } }
           kShortestPaths(fromId: "bank-of-china", toId: "bank-of-beijing", k: 2) {
             nodes { id provenance { paragraph source { title } } } }
           connect(ids: ["potevio", "yu-yang", "bank-of-china"]) { nodes { id
             ... on Organizational { people { title person { name } } } } } }""",
        None,
    ),
    (
        """{ creditTotals(groupBy: LENDER) { total { amount currency }
             entity { name ... on Bank { agreements { role agreement { name } } } } }
           timeline(id: "zhongguancun-science-park") { date label
             entity { name ... on Event { organizers { name } place { name } } } }
           neighborhood(id: "bank-of-beijing", hops: 2, kinds: [BANK, AGREEMENT]) {
             nodes { id kind } } }""",
        None,
    ),
]


@pytest.fixture(scope="module")
def walked(settings):
    """The same service with prefetching off: every level asks the batch loaders."""
    with (
        Server(replace(settings, prefetch=False)) as srv,
        httpx.Client(base_url=srv.url, timeout=30) as http,
    ):
        yield srv, http


def _count(server, http, query, variables):
    sent: list[str] = []
    listener = lambda text, params: sent.append(text)  # noqa: E731
    server.app.state.db.listeners.append(listener)
    try:
        body = http.post("/graphql", json={"query": query, "variables": variables}).json()
    finally:
        server.app.state.db.listeners.remove(listener)
    assert "errors" not in body, body
    return body, sent


@pytest.mark.parametrize(("query", "variables"), QUERIES)
def test_one_query_per_root_field(server, http, query, variables):
    body, sent = _count(server, http, query, variables)
    assert len(sent) == len(body["data"]), sent


def test_two_root_fields_two_queries(server, http):
    query = '{ a: entity(id: "potevio") { name } b: entity(id: "bank-of-china") { name } }'
    _, sent = _count(server, http, query, None)
    assert len(sent) == 2


@pytest.mark.parametrize(("query", "variables"), QUERIES)
def test_same_answer_as_field_by_field(server, http, walked, query, variables):
    fast, _ = _count(server, http, query, variables)
    slow_server, slow_http = walked
    slow, sent = _count(slow_server, slow_http, query, variables)
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
