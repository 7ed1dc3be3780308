"""Merges against a real Neo4j: every change record is kept (the API's, bulk ingestion's
and the seed's, of the merged entity and of relationships that collapse into the
survivor's), and overlapping merges run at the same time serialize: no relationship is
lost and every merged id resolves to a live entity.

Everything here has ids starting `mrg-`; it is removed at teardown.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from graph.auth.keys import create_key
from graph.bulk.document import write_document
from graph.db import Database
from graph.settings import Settings
from tests.commands import delete_prefixed, query

PREFIX = "mrg-"
SOURCE = {"id": "mrg-source", "title": "Merges", "publisher": "Test Press"}

MERGE = """mutation($s: ID!, $m: ID!) { mergeEntities(survivorId: $s, mergedId: $m) {
  __typename ... on EntityWritten { changed entity { id } }
  ... on NotFoundError { message } ... on ConflictError { message } } }"""
HISTORY = """query($id: ID!) { history(id: $id, first: 200) {
  id action target subject object type via by provenance { paragraph source { id } } } }"""


def _cleanup(settings: Settings) -> None:
    delete_prefixed(settings, PREFIX)
    query(settings, "MATCH (k:ApiKey) WHERE k.name STARTS WITH $p DELETE k", p=PREFIX)


@pytest.fixture(scope="module")
def admin_token(settings: Settings) -> Iterator[str]:
    _cleanup(settings)

    async def make() -> str:
        db = Database(settings)
        try:
            return (await create_key(db, f"{PREFIX}admin", "admin")).token
        finally:
            await db.close()

    yield asyncio.run(make())
    _cleanup(settings)


def write(settings: Settings, entities: list, relationships: list, by: str, via: str) -> None:
    """Through the bulk path (graph/bulk/document.py), as the seed and `ingest` write."""

    async def go() -> None:
        db = Database(settings)
        try:
            doc = {"source": SOURCE, "entities": entities, "relationships": relationships}
            await write_document(db, doc, by=by, via=via)
        finally:
            await db.close()

    asyncio.run(go())


def org(entity_id: str, paragraph: int = 1, **extra: Any) -> dict:
    return {
        "id": entity_id,
        "kind": "ORGANIZATION",
        "name": entity_id.replace("-", " ").title(),
        "provenance": [{"paragraph": paragraph}],
        **extra,
    }


def rel(a: str, rel_type: str, b: str, paragraph: int = 1) -> dict:
    return {"from": a, "type": rel_type, "to": b, "provenance": [{"paragraph": paragraph}]}


class Api:
    def __init__(self, http: httpx.Client, token: str) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"}

    def __call__(self, text: str, variables: dict) -> dict:
        body = self.http.post(
            "/graphql", json={"query": text, "variables": variables}, headers=self.headers
        ).json()
        assert not body.get("errors"), body
        return body["data"]

    def history(self, entity_id: str) -> list[dict]:
        return self(HISTORY, {"id": entity_id})["history"]


def test_a_merge_keeps_the_bulk_and_seed_history_of_both(settings, http, admin_token):
    api = Api(http, admin_token)
    s, m, x, y = (f"{PREFIX}s", f"{PREFIX}m", f"{PREFIX}x", f"{PREFIX}y")
    # The survivor's side, written as the seed is; then the merged entity's, in other
    # batches (so other Change records): one relationship that will collapse into the
    # survivor's (to x), one that only it has (to y), one to the survivor itself.
    write(settings, [org(s, 1), org(x, 2), org(y, 3)], [rel(s, "MEMBER_OF", x, 4)], "seed", "seed")
    write(
        settings,
        [org(m, 5)],
        [rel(m, "MEMBER_OF", x, 6), rel(m, "PART_OF", y, 7), rel(m, "PART_OF", s, 8)],
        "seed",
        "seed",
    )
    write(settings, [org(m, 5, aliases=["Em"])], [], "cli:test", "ingest")

    before_s, before_m = api.history(s), api.history(m)
    assert {h["via"] for h in before_m} == {"seed", "ingest"}
    assert all(h["provenance"] for h in before_s + before_m), before_s + before_m

    result = api(MERGE, {"s": s, "m": m})["mergeEntities"]
    assert result == {"__typename": "EntityWritten", "changed": True, "entity": {"id": s}}

    after = api.history(s)
    assert api.history(m) == after  # the merged id reads its survivor's history
    seen = {(h["id"], h["target"], h["type"]) for h in after}
    for h in before_s + before_m:
        assert (h["id"], h["target"], h["type"]) in seen, (h, after)
    assert after[0]["action"] == "merge"
    # The merged entity's own changes keep its id; its seed changes their provenance.
    own = [h for h in after if h["target"] == "entity" and h["subject"] == m]
    assert {(h["action"], h["via"]) for h in own} == {("create", "seed"), ("update", "ingest")}
    assert all(p["paragraph"] == 5 for h in own for p in h["provenance"])
    assert any(h["provenance"] for h in own)
    # The relationship dropped because it joined the two keeps its record too.
    assert any(
        (h["target"], h["subject"], h["object"], h["type"]) == ("relationship", m, s, "PART_OF")
        for h in after
    ), after
    # The collapsed relationship carries both histories and both provenance entries.
    [collapsed] = query(
        settings,
        "MATCH (:Entity {id: $s})-[r:MEMBER_OF]->(:Entity {id: $x}) "
        "RETURN r._changes AS changes, r._prov AS prov",
        s=s,
        x=x,
    )
    survivor_rel = {h["id"] for h in before_s if h["type"] == "MEMBER_OF"}
    merged_rel = {h["id"] for h in before_m if h["type"] == "MEMBER_OF"}
    assert len(survivor_rel) == len(merged_rel) == 1
    assert survivor_rel != merged_rel
    assert survivor_rel <= set(collapsed["changes"])
    assert merged_rel <= set(collapsed["changes"])
    assert len(collapsed["prov"]) == 2
    through_x = {h["id"] for h in api.history(x) if h["type"] == "MEMBER_OF"}
    assert survivor_rel | merged_rel <= through_x


# --- overlapping merges at once ----------------------------------------------------------

GROUP = 4  # entities merged together in each group
PATTERNS = [
    # (merged, survivor) pairs by position in the group: chains, both ways, cycles.
    [(0, 1), (1, 2), (2, 3)],
    [(3, 2), (2, 1), (1, 0)],
    [(0, 1), (1, 0), (2, 3), (3, 2), (1, 2)],
    [(0, 1), (1, 2), (2, 3), (3, 0)],
    [(0, 2), (1, 3), (2, 1), (3, 0), (0, 3)],
]


def _graph(round_: int, groups: int, rng: random.Random) -> tuple[list, list, list[list[str]]]:
    """Groups of organizations to merge, each with relationships of its own to outsiders
    (some shared, so that they collapse) and between members of the group."""
    tag = f"{PREFIX}r{round_}-"
    outsiders = [f"{tag}out{i}" for i in range(6)]
    entities = [org(o, 1) for o in outsiders]
    relationships = []
    members = []
    for g in range(groups):
        ids = [f"{tag}g{g}-{i}" for i in range(GROUP)]
        members.append(ids)
        entities += [org(e, i + 2) for i, e in enumerate(ids)]
        for i, e in enumerate(ids):
            for o in rng.sample(outsiders, 3):
                relationships.append(rel(e, "MEMBER_OF", o, i + 2))
            relationships.append(rel(rng.choice(outsiders), "PART_OF", e, i + 2))
        relationships.append(rel(ids[0], "PART_OF", ids[1], 9))
    return entities, relationships, members


def _components(members: list[str], pairs: list[tuple[int, int]]) -> list[set[str]]:
    parent = {e: e for e in members}

    def find(e: str) -> str:
        while parent[e] != e:
            e = parent[e]
        return e

    for a, b in pairs:
        parent[find(members[a])] = find(members[b])
    groups: dict[str, set[str]] = {}
    for e in members:
        groups.setdefault(find(e), set()).add(e)
    return list(groups.values())


UPSERT_REL = """mutation($r: RelationshipInput!, $p: ProvenanceInput!) {
  upsertRelationship(relationship: $r, provenance: $p) { __typename } }"""
UPSERT_ENTITY = """mutation($e: EntityInput!, $p: ProvenanceInput!) {
  upsertEntity(entity: $e, provenance: $p) { __typename } }"""
PROVENANCE = {"source": {"id": SOURCE["id"], "title": SOURCE["title"]}, "paragraph": 10}


def _operations(merges: list[tuple[str, str]], links: list[tuple], aliases: list[str]) -> list:
    """(result field, query, variables) of each merge, relationship upsert and alias."""
    operations = [("mergeEntities", MERGE, {"s": s, "m": m}) for m, s in merges]
    operations += [
        ("upsertRelationship", UPSERT_REL, {"r": {"from": a, "type": t, "to": b}, "p": PROVENANCE})
        for a, t, b in links
    ]
    operations += [
        (
            "upsertEntity",
            UPSERT_ENTITY,
            {
                "e": {"id": e, "kind": "ORGANIZATION", "name": e, "aliases": [f"alias {e}"]},
                "p": PROVENANCE,
            },
        )
        for e in aliases
    ]
    return operations


async def _send_all(url: str, token: str, operations: list) -> list[tuple[str, dict]]:
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:

        async def send(field: str, text: str, variables: dict) -> tuple[str, dict]:
            response = await client.post(
                "/graphql",
                json={"query": text, "variables": variables},
                headers={"Authorization": f"Bearer {token}"},
            )
            return field, response.json()

        return await asyncio.gather(*(send(*operation) for operation in operations))


def test_overlapping_merges_at_once_lose_nothing(settings, server, http, admin_token):
    rng = random.Random(20240601)
    api = Api(http, admin_token)
    for round_ in range(4):
        entities, relationships, groups = _graph(round_, len(PATTERNS), rng)
        write(settings, entities, relationships, "cli:test", "ingest")
        merges = []
        for members, pattern in zip(groups, PATTERNS, strict=True):
            merges += [(members[a], members[b]) for a, b in pattern]
        # Writes to the entities being merged, sent with the merges: each lands on the
        # entity or on its survivor, never on an entity merged away meanwhile.
        everyone = [e for members in groups for e in members]
        tag = f"{PREFIX}r{round_}-"
        links = [(f"{tag}out{rng.randrange(6)}", "ESTABLISHED", e) for e in everyone]
        relationships += [{"from": a, "type": t, "to": b} for a, t, b in links]
        operations = _operations(merges, links, everyone)
        rng.shuffle(operations)
        for field, result in asyncio.run(_send_all(server.url, admin_token, operations)):
            assert "errors" not in result, result
            expected_type = (
                "RelationshipWritten" if field == "upsertRelationship" else ("EntityWritten")
            )
            assert result["data"][field]["__typename"] == expected_type, result

        # Every old id resolves, through `entity(id)`, to one live entity per component.
        current: dict[str, str] = {}
        for members, pattern in zip(groups, PATTERNS, strict=True):
            for component in _components(members, pattern):
                found = {
                    e: api("query($id: ID!) { entity(id: $id) { id } }", {"id": e})["entity"]
                    for e in sorted(component)
                }
                assert all(f is not None for f in found.values()), found
                targets = {f["id"] for f in found.values()}
                assert len(targets) == 1, found
                [target] = targets
                assert target in component
                aliases = query(
                    settings, "MATCH (n:Entity {id: $id}) RETURN n.aliases AS a", id=target
                )[0]["a"]
                assert {f"alias {e}" for e in component} <= set(aliases), aliases
                live = query(
                    settings,
                    "MATCH (n:Entity) WHERE n.id IN $ids RETURN n.id AS id",
                    ids=sorted(component),
                )
                assert [row["id"] for row in live] == [target], live
                current |= dict.fromkeys(component, target)
                merged_away = len(component) - 1
                actions = [h["action"] for h in api.history(target)]
                assert actions.count("merge") == merged_away, actions
        # Every relationship survives on the survivors of its ends (unless it joined two
        # entities that became one).
        expected = set()
        for r in relationships:
            a, b = current.get(r["from"], r["from"]), current.get(r["to"], r["to"])
            if a != b:
                expected.add((a, r["type"], b))
        found_rels = {
            (row["a"], row["type"], row["b"])
            for row in query(
                settings,
                "MATCH (a:Entity)-[r]->(b:Entity) WHERE a.id STARTS WITH $t OR b.id STARTS WITH $t "
                "RETURN a.id AS a, type(r) AS type, b.id AS b",
                t=tag,
            )
        }
        assert found_rels == expected, (expected - found_rels, found_rels - expected)

    # Redirects always point at one live entity: chains collapse, none dangles.
    [bad] = query(
        settings,
        "MATCH (r:Redirect) WHERE r.id STARTS WITH $p "
        "WITH r, COUNT { (r)-[:MERGED_INTO]->(:Entity) } AS links, "
        "  COUNT { (r)-[:MERGED_INTO]->(:Redirect) } AS chained, "
        "  EXISTS { MATCH (e:Entity {id: r.id}) } AS shadowed "
        "RETURN count(*) AS redirects, "
        "  sum(CASE WHEN links = 1 AND chained = 0 AND NOT shadowed THEN 0 ELSE 1 END) AS bad",
        p=PREFIX,
    )
    assert bad["redirects"] > 0
    assert bad["bad"] == 0, bad
