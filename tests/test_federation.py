"""Apollo Federation 2 (FEDERATION=1): the subgraph SDL is committed and current, the
plain schema carries none of it, and a service built with the setting answers `_service`
and `_entities` (one query for every representation, merged ids to their survivors)
against the real Neo4j.

What this module writes has ids starting `fed-`; it is removed at teardown.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from graph.resolvers.federation import SDL
from graph.schema import federation_schema, schema
from graph.settings import ROOT, Settings
from tests.commands import delete_prefixed, query
from tests.conftest import Server, post_counting

SEED = json.loads((ROOT / "seed" / "article.json").read_text(encoding="utf-8"))
SOURCE_ID = SEED["source"]["id"]
REL = next(r for r in SEED["relationships"] if r["type"] == "HOLDS_POSITION")
REL_ID = f"{REL['from']}|HOLDS_POSITION|{REL['to']}"


def test_committed_federation_sdl_is_current():
    federation_schema()
    committed = (ROOT / "schema.federation.graphql").read_text(encoding="utf-8")
    assert committed.strip() == SDL[0].strip(), (
        "schema.federation.graphql is stale: run `make schema` and commit it"
    )


def test_every_node_type_is_keyed_and_the_plain_schema_knows_nothing_of_it():
    federation_schema()
    sdl = SDL[0]
    assert '@link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@key"])' in sdl
    for name in (
        "Organization",
        "Bank",
        "Person",
        "Patent",
        "Agreement",
        "Event",
        "Credit",
        "Grant",
        "Place",
        "Source",
        "Edge",
    ):
        line = next(x for x in sdl.splitlines() if x.startswith(f"type {name} "))
        assert line.endswith('@key(fields: "id", resolvable: true) {'), line
    plain = schema.as_str()
    for federated in ("@key", "@link", "_entities", "_service", "_Any", "_Entity"):
        assert federated not in plain


@pytest.fixture(scope="module")
def federated(settings: Settings) -> Iterator[tuple[Server, httpx.Client]]:
    delete_prefixed(settings, "fed-")
    # What a merge leaves of an entity merged into Potevio.
    query(
        settings,
        "MATCH (p:Entity {id: 'potevio'}) "
        "CREATE (:Redirect {id: 'fed-old-potevio'})-[:MERGED_INTO]->(p)",
    )
    with (
        Server(replace(settings, federation=True)) as srv,
        httpx.Client(base_url=srv.url, timeout=30) as client,
    ):
        yield srv, client
    delete_prefixed(settings, "fed-")


def test_service_sdl(federated):
    data, sent = _data_and_queries(*federated, "{ _service { sdl } }")
    assert data["_service"]["sdl"] == SDL[0]
    assert sent == []


ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) { __typename
  ... on Bank { id name creditsGranted { id ... on Credit { borrower { name } } } }
  ... on Organization { id name provenance { paragraph source { title } } }
  ... on Source { id title }
  ... on Edge { id type properties } } }"""


def test_entities_in_one_query(federated):
    representations = [
        {"__typename": "Bank", "id": "bank-of-beijing"},
        {"__typename": "Organization", "id": "fed-old-potevio"},  # merged: its survivor
        {"__typename": "Source", "id": SOURCE_ID},
        {"__typename": "Edge", "id": REL_ID},
        {"__typename": "Organization", "id": "bank-of-beijing"},  # a Bank, not an Organization
        {"__typename": "Bank", "id": "no-such-bank"},
        {"__typename": "Bank"},
    ]
    data, sent = _data_and_queries(*federated, ENTITIES, {"r": representations})
    assert len(sent) == 1, sent
    bank, potevio, source, edge, wrong, unknown, no_id = data["_entities"]
    assert bank["id"] == "bank-of-beijing"
    assert bank["creditsGranted"] == [
        {"id": "potevio-credit-bank-of-beijing", "borrower": {"name": "Potevio"}}
    ]
    assert (potevio["__typename"], potevio["id"], potevio["name"]) == (
        "Organization",
        "potevio",
        "Potevio",
    )
    assert potevio["provenance"][0]["source"]["title"] == SEED["source"]["title"]
    assert source == {"__typename": "Source", "id": SOURCE_ID, "title": SEED["source"]["title"]}
    assert edge == {
        "__typename": "Edge",
        "id": REL_ID,
        "type": "HOLDS_POSITION",
        "properties": REL["properties"],
    }
    assert wrong is None
    assert unknown is None
    assert no_id is None


def test_the_rest_of_the_api_is_unchanged(federated, gql):
    text = '{ entity(id: "potevio") { id name } node(id: "bank-of-beijing") { id } }'
    data, _ = _data_and_queries(*federated, text)
    assert data == gql(text)


def _data_and_queries(server, http, text, variables=None):
    body, sent = post_counting(server, http, text, variables)
    return body["data"], sent
