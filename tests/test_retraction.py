"""Retracting a source and restoring it, against the real Neo4j: what a source asserts
(the look before), a dry run that writes nothing, the retraction (facts it alone asserted
go, the others lose its word), history, and the restoration. Ids start `rtr-`."""

import asyncio

import pytest

from graph.auth.keys import create_key
from graph.db import Database
from tests.conftest import Client

R1 = {"id": "rtr-source-1", "title": "Retraction test article 1"}
R2 = {"id": "rtr-source-2", "title": "Retraction test article 2"}

UPSERT_ENTITY = """
mutation($e: EntityInput!, $p: ProvenanceInput!) {
  upsertEntity(entity: $e, provenance: $p) { __typename ... on ValidationError { problems } }
}"""
UPSERT_REL = """
mutation($r: RelationshipInput!, $p: ProvenanceInput!) {
  upsertRelationship(relationship: $r, provenance: $p) { __typename }
}"""
RETRACT = """
mutation($id: ID!, $dry: Boolean!) {
  retractSource(id: $id, dryRun: $dry, reason: "withdrawn by its publisher") {
    __typename
    ... on Retraction { dryRun entitiesRemoved entitiesKept relationshipsRemoved
      relationshipsKept claimsRemoved }
    ... on ConflictError { message } ... on NotFoundError { message }
    ... on ForbiddenError { message }
  }
}"""
RESTORE = """
mutation($id: ID!) {
  restoreSource(id: $id) { __typename
    ... on Retraction { entitiesRestored relationshipsRestored }
    ... on ConflictError { message } }
}"""
ASSERTED = """
query($id: ID!) { source(id: $id) { retracted
  entitiesAsserted(first: 2) { totalCount pageInfo { hasNextPage endCursor }
    edges { node { onlySource entity { id } claims { property value } } } }
  relationshipsAsserted { totalCount edges { node { onlySource relationship { id } } } } } }"""
MORE = """
query($id: ID!, $after: String) { source(id: $id) {
  entitiesAsserted(first: 10, after: $after) { edges { node { entity { id } } } } } }"""
STATE = """
{ shared: entity(id: "rtr-shared") { name contested
    ... on Organization { description }
    provenance { source { id } } claims(property: "description") { value } }
  gone: entity(id: "rtr-alone") { id }
  linked: entity(id: "rtr-linked") { id provenance { source { id } } }
  event: entity(id: "rtr-event") { relationships(types: ["ORGANIZED"]) { other { id } } }
  conflicts(entity: "rtr-shared") { totalCount } }"""


async def _cleanup(settings):
    db = Database(settings)
    try:
        for query in (
            "MATCH (n:Entity) WHERE n.id STARTS WITH 'rtr-' DETACH DELETE n",
            "MATCH (k:Conflict) WHERE k.subject STARTS WITH 'rtr-' DELETE k",
            "MATCH (c:Change) WHERE c.subject STARTS WITH 'rtr-' DELETE c",
            # The walkthrough's changes to seed entities, made with this module's keys.
            "MATCH (k:ApiKey) WHERE k.name STARTS WITH 'rtr-' "
            "MATCH (c:Change {by: 'api-key:' + k.id}) DELETE c",
            "MATCH (x:Retraction) WHERE x.source STARTS WITH 'rtr-' DELETE x",
            "MATCH (s:Source) WHERE s.id STARTS WITH 'rtr-' DELETE s",
            "MATCH (k:ApiKey) WHERE k.name STARTS WITH 'rtr-' DELETE k",
        ):
            await db.write((query, {}))
    finally:
        await db.close()


@pytest.fixture(scope="module")
def clients(settings, http):
    async def make():
        db = Database(settings)
        try:
            return {
                role: (await create_key(db, f"rtr-{role}", role)).token
                for role in ("editor", "admin")
            }
        finally:
            await db.close()

    tokens = asyncio.run(make())
    made = {role: Client(http, token) for role, token in tokens.items()}
    _write_facts(made["editor"])
    yield made
    asyncio.run(_cleanup(settings))


def _entity(editor, source, id_, kind, **props):
    name = id_.replace("-", " ").title()
    body = editor.data(
        UPSERT_ENTITY,
        {
            "e": {"id": id_, "kind": kind, "name": name, "properties": props or None},
            "p": {"source": source, "paragraph": 1},
        },
    )
    assert body["upsertEntity"]["__typename"] == "EntityWritten", body


def _organized(editor, source, start):
    body = editor.data(
        UPSERT_REL,
        {
            "r": {"from": start, "type": "ORGANIZED", "to": "rtr-event"},
            "p": {"source": source, "paragraph": 2},
        },
    )
    assert body["upsertRelationship"]["__typename"] == "RelationshipWritten", body


def _write_facts(editor):
    """R1 alone: rtr-alone and its ORGANIZED; R1 and R2: rtr-shared (disagreeing on its
    description) and its ORGANIZED; R2 alone: the event; rtr-linked is R1's alone, but R2
    asserts its ORGANIZED."""
    _entity(editor, R2, "rtr-event", "EVENT")
    _entity(editor, R1, "rtr-alone", "ORGANIZATION", description="first account")
    _entity(editor, R1, "rtr-linked", "ORGANIZATION")
    _entity(editor, R2, "rtr-shared", "ORGANIZATION", description="second account")
    _entity(editor, R1, "rtr-shared", "ORGANIZATION", description="first account")
    _organized(editor, R1, "rtr-alone")
    _organized(editor, R1, "rtr-shared")
    _organized(editor, R2, "rtr-shared")
    _organized(editor, R2, "rtr-linked")


def test_what_a_source_asserts_is_listed_in_pages(clients, gql):
    source = gql(ASSERTED, {"id": "rtr-source-1"})["source"]
    assert source["retracted"] is False
    page = source["entitiesAsserted"]
    assert page["totalCount"] == 3
    assert page["pageInfo"]["hasNextPage"] is True
    first = [(e["node"]["entity"]["id"], e["node"]["onlySource"]) for e in page["edges"]]
    assert first == [("rtr-alone", True), ("rtr-linked", True)]
    alone_claims = page["edges"][0]["node"]["claims"]
    assert {"property": "description", "value": "first account"} in alone_claims
    rest = gql(MORE, {"id": "rtr-source-1", "after": page["pageInfo"]["endCursor"]})
    assert [e["node"]["entity"]["id"] for e in rest["source"]["entitiesAsserted"]["edges"]] == [
        "rtr-shared"
    ]
    rels = source["relationshipsAsserted"]
    assert rels["totalCount"] == 2
    assert {(e["node"]["relationship"]["id"], e["node"]["onlySource"]) for e in rels["edges"]} == {
        ("rtr-alone|ORGANIZED|rtr-event", True),
        ("rtr-shared|ORGANIZED|rtr-event", False),
    }


def test_only_an_admin_retracts_and_only_known_sources(clients):
    refused = clients["editor"].data(RETRACT, {"id": "rtr-source-1", "dry": True})
    assert refused["retractSource"]["__typename"] == "ForbiddenError"
    missing = clients["admin"].data(RETRACT, {"id": "rtr-nothing", "dry": True})
    assert missing["retractSource"]["__typename"] == "NotFoundError"


def test_a_dry_run_counts_and_writes_nothing(clients, gql):
    before = gql(STATE)
    dry = clients["admin"].data(RETRACT, {"id": "rtr-source-1", "dry": True})["retractSource"]
    assert dry == {
        "__typename": "Retraction",
        "dryRun": True,
        "entitiesRemoved": 1,  # rtr-alone; rtr-linked stays for R2's relationship
        "entitiesKept": 2,
        "relationshipsRemoved": 1,
        "relationshipsKept": 1,
        "claimsRemoved": dry["claimsRemoved"],
    }
    assert dry["claimsRemoved"] >= 5  # names, descriptions, and R1's relationship claims
    assert gql(STATE) == before


def test_retracting_withdraws_what_the_source_said_and_restoring_gives_it_back(clients, gql):
    before = gql(STATE)
    assert before["shared"]["contested"] == ["description"]
    assert before["shared"]["description"] == "first account"  # tie: the newest
    assert before["conflicts"]["totalCount"] == 1

    done = clients["admin"].data(RETRACT, {"id": "rtr-source-1", "dry": False})
    assert done["retractSource"]["entitiesRemoved"] == 1
    after = gql(STATE)
    assert after["gone"] is None
    assert after["shared"]["description"] == "second account"
    assert after["shared"]["contested"] == []
    assert after["shared"]["claims"] == [{"value": "second account"}]
    assert [p["source"]["id"] for p in after["shared"]["provenance"]] == ["rtr-source-2"]
    assert after["linked"]["provenance"] == []
    assert {r["other"]["id"] for r in after["event"]["relationships"]} == {
        "rtr-shared",
        "rtr-linked",
    }
    assert after["conflicts"]["totalCount"] == 0
    assert gql(ASSERTED, {"id": "rtr-source-1"})["source"]["retracted"] is True
    again = clients["admin"].data(RETRACT, {"id": "rtr-source-1", "dry": False})
    assert again["retractSource"]["__typename"] == "ConflictError"

    history = clients["admin"].data('{ history(id: "rtr-shared") { action note } }')
    notes = [h["note"] for h in history["history"] if h["action"] == "retract"]
    assert notes
    assert all("withdrawn by its publisher" in n for n in notes)

    restored = clients["admin"].data(RESTORE, {"id": "rtr-source-1"})["restoreSource"]
    assert restored == {
        "__typename": "Retraction",
        "entitiesRestored": 1,
        "relationshipsRestored": 1,
    }
    back = gql(STATE)
    assert back["gone"] == {"id": "rtr-alone"}
    assert back["shared"]["contested"] == ["description"]
    assert {c["value"] for c in back["shared"]["claims"]} == {"first account", "second account"}
    assert back["conflicts"]["totalCount"] == 1
    assert {r["other"]["id"] for r in back["event"]["relationships"]} == {
        "rtr-alone",
        "rtr-shared",
        "rtr-linked",
    }
    assert gql(ASSERTED, {"id": "rtr-source-1"})["source"]["retracted"] is False
    # The restoration is in the history of the fact that stayed and of the one brought back.
    for fact in ("rtr-shared", "rtr-alone"):
        query = f'{{ history(id: "{fact}") {{ action note by }} }}'
        latest = clients["admin"].data(query)["history"][0]
        assert latest["action"] == "restore", (fact, latest)
        assert latest["note"] == "source restored"
        assert latest["by"] == "rtr-admin"
    twice = clients["admin"].data(RESTORE, {"id": "rtr-source-1"})
    assert twice["restoreSource"]["__typename"] == "ConflictError"


WALK_WRITE = """
mutation SecondSource {
  agreement: upsertEntity(
    entity: { id: "beijing-ip-bureau-banks-ip-financing-agreement", kind: AGREEMENT,
              name: "IP financing strategic cooperation agreement (Beijing IP Bureau and 7 banks)",
              properties: { bankCount: 7 } }
    provenance: { source: { id: "rtr-example", title: "A second article" }, paragraph: 5 }
  ) { __typename }
  alliance: upsertEntity(
    entity: { id: "zhongguancun-ip-service-alliance", kind: ORGANIZATION,
              name: "Zhongguancun Intellectual Property Service Alliance",
              properties: { memberCount: 60 } }
    provenance: { source: { id: "rtr-example", title: "A second article" }, paragraph: 6 }
  ) { __typename }
}"""
WALK_READ = """
{ entity(id: "zhongguancun-ip-service-alliance") { contested
    ... on Organization { memberCount }
    claims(property: "memberCount") { value status sourceCount
      provenance { paragraph source { id } } } }
  agreement: entity(id: "beijing-ip-bureau-banks-ip-financing-agreement") {
    claims(property: "bankCount") { value sourceCount } }
  conflicts(status: OPEN) { totalCount edges { node { id shown } } } }"""


def test_the_readme_walkthrough_of_a_second_source_and_its_retraction(clients, gql):
    """README.md, "Growing the graph", step 4, on the seed graph; retracting the second
    source afterwards leaves the seed's values as they were."""
    seed_before = gql(WALK_READ)
    try:
        written = clients["editor"].data(WALK_WRITE)
        assert {v["__typename"] for v in written.values()} == {"EntityWritten"}
        data = gql(WALK_READ)
        alliance = data["entity"]
        assert alliance["contested"] == ["memberCount"]
        assert alliance["memberCount"] == 60  # one source each: the newest wins the tie
        assert [(c["value"], c["sourceCount"]) for c in alliance["claims"]] == [(53, 1), (60, 1)]
        assert alliance["claims"][1]["provenance"] == [
            {"paragraph": 6, "source": {"id": "rtr-example"}}
        ]
        assert data["agreement"]["claims"] == [{"value": 7, "sourceCount": 2}]
        assert {
            "id": "zhongguancun-ip-service-alliance#memberCount",
            "shown": 60,
        } in [e["node"] for e in data["conflicts"]["edges"]]

        resolved = clients["editor"].data(
            'mutation { resolveConflict(id: "zhongguancun-ip-service-alliance#memberCount", '
            'value: 53, note: "the launch-day count") { __typename '
            "... on ConflictResolved { conflict { status shown } } } }"
        )["resolveConflict"]
        assert resolved["conflict"] == {"status": "RESOLVED", "shown": 53}

        done = clients["admin"].data(RETRACT, {"id": "rtr-example", "dry": False})
        assert done["retractSource"]["entitiesRemoved"] == 0
        assert done["retractSource"]["entitiesKept"] == 2
        assert gql(WALK_READ) == seed_before
    finally:  # whatever failed, the seed entities lose the second source's word
        clients["admin"].data(RETRACT, {"id": "rtr-example", "dry": False})
