"""Global object identification against the real Neo4j: `node` / `nodes` for every kind
of thing (entities of each kind, a source, a relationship), merged ids, relationship ids
(stable, distinct for two links of one pair, the same from either end, resolvable), and
one Cypher query per root field however deep the selection.

What this module writes has ids starting `gid-`; it is removed at teardown.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from graph.auth.keys import create_key
from graph.bulk.document import write_document
from graph.db import Database
from graph.domain import DOMAIN
from graph.resolvers.nodes import MAX_NODES
from graph.settings import ROOT, Settings
from tests.commands import delete_prefixed, query
from tests.conftest import Server, post_counting

PREFIX = "gid-"
SEED = json.loads((ROOT / "seed" / "article.json").read_text(encoding="utf-8"))
SOURCE_ID = SEED["source"]["id"]
# Two links of one pair of entities (ORGANIZED and ATTENDED).
COMMITTEE = "beijing-intellectual-committee"
CEREMONY = "zhongguancun-ip-service-alliance-launch-ceremony"

NODE = """query($id: ID!) { node(id: $id) { __typename id
  ... on Entity { kind name }
  ... on Source { title }
  ... on Edge { type from to properties provenance { paragraph source { id } } } } }"""


def one_of_each_kind() -> dict[str, str]:
    """A seed entity id per kind (every kind the seed has: all nine)."""
    out: dict[str, str] = {}
    for entity in SEED["entities"]:
        out.setdefault(entity["kind"], entity["id"])
    return out


def test_the_seed_has_every_kind():
    assert set(one_of_each_kind()) == {k.name for k in DOMAIN.kinds}


@pytest.mark.parametrize(("kind", "entity_id"), sorted(one_of_each_kind().items()))
def test_node_returns_an_entity_of_each_kind(gql, kind, entity_id):
    node = gql(NODE, {"id": entity_id})["node"]
    assert node["__typename"] == DOMAIN.kind(kind).label
    assert (node["id"], node["kind"]) == (entity_id, kind)


def test_node_returns_a_source(gql):
    node = gql(NODE, {"id": SOURCE_ID})["node"]
    assert node == {"__typename": "Source", "id": SOURCE_ID, "title": SEED["source"]["title"]}


def test_unknown_and_malformed_ids_are_null(gql):
    for unknown in (
        "no-such-thing",
        "",
        "a|b",
        f"{COMMITTEE}|NOT_A_TYPE|{CEREMONY}",
        f"{COMMITTEE}|LENT|{CEREMONY}",
        "x|PART_OF|y|z",
        "|PART_OF|x",
    ):
        assert gql(NODE, {"id": unknown})["node"] is None, unknown


RELATIONSHIPS = """query($id: ID!) { entity(id: $id) {
  relationships { relationshipId type direction other { id } } } }"""


def relationships_of(gql, entity_id: str) -> list[dict]:
    return gql(RELATIONSHIPS, {"id": entity_id})["entity"]["relationships"]


def test_relationship_ids_are_stable_distinct_and_the_same_from_either_end(gql):
    first, second = relationships_of(gql, COMMITTEE), relationships_of(gql, COMMITTEE)
    assert first == second
    ids = [r["relationshipId"] for r in first]
    assert len(ids) == len(set(ids))
    to_ceremony = {r["type"]: r["relationshipId"] for r in first if r["other"]["id"] == CEREMONY}
    assert to_ceremony == {
        "ORGANIZED": f"{COMMITTEE}|ORGANIZED|{CEREMONY}",
        "ATTENDED": f"{COMMITTEE}|ATTENDED|{CEREMONY}",
    }
    # Seen from the ceremony: other direction, other `other`, the same ids.
    seen_back = {
        r["type"]: r["relationshipId"]
        for r in relationships_of(gql, CEREMONY)
        if r["other"]["id"] == COMMITTEE
    }
    assert seen_back == to_ceremony


def test_every_seed_relationship_resolves_by_its_id(gql):
    ids = [f"{r['from']}|{r['type']}|{r['to']}" for r in SEED["relationships"]]
    assert len(set(ids)) == len(ids)
    found = gql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Edge { type from to } } }",
        {"ids": ids},
    )["nodes"]
    for rel, node in zip(SEED["relationships"], found, strict=True):
        expected = f"{rel['from']}|{rel['type']}|{rel['to']}"
        assert node == {
            "__typename": "Edge",
            "id": expected,
            "type": rel["type"],
            "from": rel["from"],
            "to": rel["to"],
        }


def test_a_relationship_node_has_its_properties_and_provenance(gql):
    wanted = next(r for r in SEED["relationships"] if r["type"] == "HOLDS_POSITION")
    assert wanted["properties"]
    rel_id = f"{wanted['from']}|HOLDS_POSITION|{wanted['to']}"
    node = gql(NODE, {"id": rel_id})["node"]
    assert node["properties"] == wanted["properties"]
    assert {p["paragraph"] for p in node["provenance"]} == {
        p["paragraph"] for p in wanted["provenance"]
    }
    assert {p["source"]["id"] for p in node["provenance"]} == {SOURCE_ID}


def test_typed_edges_and_wrappers_carry_the_same_ids(gql):
    data = gql(
        """{ entity(id: "beijing-ip-bureau-banks-ip-financing-agreement") { ... on Agreement {
          parties { relationshipId party { id } }
          partiesConnection { edges { relationshipId node { id } } } } }
          path: shortestPath(fromId: "bank-of-beijing", toId: "potevio") {
            edges { id type from to } } }"""
    )
    agreement = "beijing-ip-bureau-banks-ip-financing-agreement"
    listed = {p["relationshipId"] for p in data["entity"]["parties"]}
    paged = {e["relationshipId"] for e in data["entity"]["partiesConnection"]["edges"]}
    assert (
        listed
        == paged
        == {f"{p['party']['id']}|PARTY_TO|{agreement}" for p in data["entity"]["parties"]}
    )
    for edge in data["path"]["edges"]:
        assert edge["id"] == f"{edge['from']}|{edge['type']}|{edge['to']}"


def test_nodes_keeps_the_order_and_nulls(gql):
    rel_id = f"{COMMITTEE}|ATTENDED|{CEREMONY}"
    ids = ["potevio", "nope", SOURCE_ID, rel_id, "potevio", "x|PART_OF"]
    found = gql("query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }", {"ids": ids})
    assert found["nodes"] == [
        {"__typename": "Organization", "id": "potevio"},
        None,
        {"__typename": "Source", "id": SOURCE_ID},
        {"__typename": "Edge", "id": rel_id},
        {"__typename": "Organization", "id": "potevio"},
        None,
    ]
    assert gql("{ nodes(ids: []) { id } }") == {"nodes": []}


def test_nodes_is_capped(gql):
    ids = ["potevio"] * (MAX_NODES + 1)
    error = gql.error("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert str(MAX_NODES) in error["message"]
    assert (
        len(
            gql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids[:MAX_NODES]})[
                "nodes"
            ]
        )
        == MAX_NODES
    )


# --- one round trip ---------------------------------------------------------------------

# Kept under the cost limit: `nodes` is estimated at its most (100 items).
DEEP_NODES = """query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
  ... on Node { id }
  ... on Entity { name provenance { paragraph source { id title } }
    relationships(first: 5) { relationshipId type direction other { id name } } }
  ... on Bank { creditsGrantedConnection(first: 2) { totalCount edges { relationshipId
      node { ... on Credit { amount { amount currency } borrower { name }
        securedBy(first: 2) { name } } } } } }
  ... on Agreement { parties(first: 5) { relationshipId role party { name } } }
  ... on Person { positions(first: 3) { relationshipId title organization { name } } }
  ... on Source { title publishedOn }
  ... on Edge { type from to properties provenance { paragraph source { id } } } } }"""

ROUND_TRIP_IDS = [
    "bank-of-beijing",
    "beijing-ip-bureau-banks-ip-financing-agreement",
    "guo-yiming",
    SOURCE_ID,
    f"{COMMITTEE}|ORGANIZED|{CEREMONY}",
    "nope",
]


@pytest.fixture(scope="module")
def walked(settings: Settings) -> Iterator[tuple[Server, httpx.Client]]:
    with (
        Server(replace(settings, prefetch=False)) as srv,
        httpx.Client(base_url=srv.url, timeout=30) as client,
    ):
        yield srv, client


@pytest.mark.parametrize(
    ("text", "variables"),
    [
        (DEEP_NODES, {"ids": ROUND_TRIP_IDS}),
        (
            DEEP_NODES.replace("nodes(ids: $ids)", "node(id: $id)")
            .replace("[ID!]!", "ID!")
            .replace("$ids", "$id"),
            {"id": "bank-of-beijing"},
        ),
    ],
)
def test_one_query_and_the_same_answer_as_field_by_field(server, http, walked, text, variables):
    fast, sent = post_counting(server, http, text, variables)
    assert len(sent) == 1, sent
    slow, slow_sent = post_counting(*walked, text, variables)
    assert fast == slow
    assert len(slow_sent) > 1


# --- merges -----------------------------------------------------------------------------

MERGE = """mutation($s: ID!, $m: ID!) { mergeEntities(survivorId: $s, mergedId: $m) {
  __typename } }"""


@pytest.fixture(scope="module")
def admin_token(settings: Settings) -> Iterator[str]:
    def cleanup() -> None:
        delete_prefixed(settings, PREFIX)
        query(settings, "MATCH (k:ApiKey) WHERE k.name STARTS WITH $p DELETE k", p=PREFIX)

    async def make() -> str:
        db = Database(settings)
        try:
            return (await create_key(db, f"{PREFIX}admin", "admin")).token
        finally:
            await db.close()

    cleanup()
    yield asyncio.run(make())
    cleanup()


def _write(settings: Settings, entities: list, relationships: list) -> None:
    async def go() -> None:
        db = Database(settings)
        try:
            doc = {
                "source": {"id": f"{PREFIX}source", "title": "Global ids"},
                "entities": entities,
                "relationships": relationships,
            }
            await write_document(db, doc, by="cli:test", via="ingest")
        finally:
            await db.close()

    asyncio.run(go())


def _org(entity_id: str) -> dict:
    return {
        "id": entity_id,
        "kind": "ORGANIZATION",
        "name": entity_id,
        "provenance": [{"paragraph": 1}],
    }


def _rel(a: str, rel_type: str, b: str, paragraph: int) -> dict:
    return {"from": a, "type": rel_type, "to": b, "provenance": [{"paragraph": paragraph}]}


def test_ids_survive_a_merge(settings, http, gql, admin_token):
    s, m, x, y = (f"{PREFIX}s", f"{PREFIX}m", f"{PREFIX}x", f"{PREFIX}y")
    _write(
        settings,
        [_org(s), _org(m), _org(x), _org(y)],
        [
            _rel(s, "MEMBER_OF", x, 1),  # the survivor's own
            _rel(m, "MEMBER_OF", x, 2),  # collapses into the survivor's
            _rel(m, "PART_OF", y, 3),  # moves onto the survivor
            _rel(m, "PART_OF", s, 4),  # between the two: dropped
        ],
    )
    assert gql(NODE, {"id": f"{m}|PART_OF|{y}"})["node"]["id"] == f"{m}|PART_OF|{y}"
    body = http.post(
        "/graphql",
        json={"query": MERGE, "variables": {"s": s, "m": m}},
        headers={"Authorization": f"Bearer {admin_token}"},
    ).json()
    assert body["data"]["mergeEntities"]["__typename"] == "EntityWritten", body

    ids = [m, f"{m}|PART_OF|{y}", f"{m}|MEMBER_OF|{x}", f"{m}|PART_OF|{s}", f"{s}|PART_OF|{s}"]
    found = gql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id "
        "... on Edge { provenance { paragraph } } } }",
        {"ids": ids},
    )["nodes"]
    # The merged id gives the survivor, under the survivor's id (as `entity` does).
    assert found[0] == {"__typename": "Organization", "id": s}
    # A relationship id naming the merged id gives the relationship it became.
    assert found[1] == {
        "__typename": "Edge",
        "id": f"{s}|PART_OF|{y}",
        "provenance": [{"paragraph": 3}],
    }
    assert found[2]["id"] == f"{s}|MEMBER_OF|{x}"
    assert sorted(p["paragraph"] for p in found[2]["provenance"]) == [1, 2]
    # The one between the two was dropped: its id names nothing, never another one.
    assert found[3] is None
    assert found[4] is None
