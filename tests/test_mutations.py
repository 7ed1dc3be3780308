"""Mutations over HTTP with real keys and a real Neo4j: provenance, typed errors, roles,
history, deletes, merges, and concurrent writers.

Everything this module writes has ids starting `mut-` and the source `mut-source-*`;
it is removed at teardown so other modules still see the seed graph exactly.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from graph.auth.keys import create_key
from graph.db import Database
from tests.conftest import Client

SOURCE_A = {
    "id": "mut-source-a",
    "title": "Second article",
    "publisher": "Example Daily",
    "publishedOn": "2014-01-15",
    "authors": ["A. Writer"],
}
SOURCE_B = {"id": "mut-source-b", "title": "Third article", "publisher": "Other Press"}

UPSERT_ENTITY = """
mutation($e: EntityInput!, $p: ProvenanceInput!) {
  upsertEntity(entity: $e, provenance: $p) {
    __typename
    ... on EntityWritten { created changed entity { id name kind aliases properties
      provenance { paragraph locator source { id title publisher } } } }
    ... on ValidationError { code message problems }
    ... on ConflictError { code message }
    ... on ForbiddenError { code message }
  }
}"""

UPSERT_REL = """
mutation($r: RelationshipInput!, $p: ProvenanceInput!) {
  upsertRelationship(relationship: $r, provenance: $p) {
    __typename
    ... on RelationshipWritten { type created changed properties from { id } to { id }
      provenance { paragraph source { id } } }
    ... on ValidationError { code message problems }
    ... on NotFoundError { code message id }
    ... on ForbiddenError { code message }
  }
}"""


async def _cleanup(settings):
    db = Database(settings)
    try:
        await db.write(
            (
                "MATCH (n) WHERE (n:Entity OR n:Redirect) AND n.id STARTS WITH 'mut-' "
                "DETACH DELETE n",
                {},
            )
        )
        await db.write(
            (
                "MATCH (c:Change) WHERE c.subject STARTS WITH 'mut-' "
                "OR c.object STARTS WITH 'mut-' DELETE c",
                {},
            )
        )
        await db.write(("MATCH (s:Source) WHERE s.id STARTS WITH 'mut-' DELETE s", {}))
        await db.write(("MATCH (k:ApiKey) WHERE k.name STARTS WITH 'mut-' DELETE k", {}))
    finally:
        await db.close()


@pytest.fixture(scope="module")
def tokens(settings):
    async def make():
        db = Database(settings)
        try:
            return {
                role: (await create_key(db, f"mut-{role}", role)).token
                for role in ("reader", "editor", "admin")
            }
        finally:
            await db.close()

    made = asyncio.run(make())
    yield made
    asyncio.run(_cleanup(settings))


@pytest.fixture(scope="module")
def editor(http, tokens):
    return Client(http, tokens["editor"])


@pytest.fixture(scope="module")
def admin(http, tokens):
    return Client(http, tokens["admin"])


def entity(id_, kind="ORGANIZATION", name=None, **extra):
    return {"id": id_, "kind": kind, "name": name or id_.replace("-", " ").title(), **extra}


def prov(source=SOURCE_A, **where):
    return {"source": source, **(where or {"paragraph": 1})}


def upsert(client, ent, provenance=None):
    return client.data(UPSERT_ENTITY, {"e": ent, "p": provenance or prov()})["upsertEntity"]


def test_write_without_token_is_unauthenticated(http):
    body = Client(http)(UPSERT_ENTITY, {"e": entity("mut-anon"), "p": prov()})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert Client(http).data('{ entity(id: "mut-anon") { id } }')["entity"] is None


def test_reader_is_forbidden_and_nothing_is_written(http, tokens):
    reader = Client(http, tokens["reader"])
    result = reader.data(UPSERT_ENTITY, {"e": entity("mut-reader"), "p": prov()})["upsertEntity"]
    assert result["__typename"] == "ForbiddenError"
    assert result["code"] == "FORBIDDEN"
    assert "editor" in result["message"]
    assert reader.data('{ entity(id: "mut-reader") { id } }')["entity"] is None


def test_editor_creates_an_entity_with_provenance(editor):
    result = upsert(
        editor,
        entity("mut-acme", aliases=["ACME"], properties={"orgType": "company"}),
        prov(paragraph=3),
    )
    assert result["__typename"] == "EntityWritten"
    assert result["created"] is True
    ent = result["entity"]
    assert ent["aliases"] == ["ACME"]
    assert ent["properties"] == {"orgType": "company"}
    assert ent["provenance"] == [
        {
            "paragraph": 3,
            "locator": None,
            "source": {
                "id": "mut-source-a",
                "title": "Second article",
                "publisher": "Example Daily",
            },
        }
    ]


def test_second_source_adds_provenance_not_a_duplicate(editor, settings):
    upsert(editor, entity("mut-beta"), prov(paragraph=2))
    again = upsert(editor, entity("mut-beta"), prov(paragraph=2))
    assert again["created"] is False
    assert again["changed"] is False
    second = upsert(editor, entity("mut-beta"), prov(SOURCE_B, page=7, quote="the beta deal"))
    assert second["changed"] is True
    sources = [p["source"]["id"] for p in second["entity"]["provenance"]]
    assert sources == ["mut-source-a", "mut-source-b"]
    assert second["entity"]["provenance"][1]["locator"] == "page 7; quote: the beta deal"

    async def count():
        db = Database(settings)
        try:
            [row] = await db.read(("MATCH (n:Entity {id: 'mut-beta'}) RETURN count(n) AS c", {}))
            return row["c"]
        finally:
            await db.close()

    assert asyncio.run(count()) == 1


def test_generated_slug_id(editor):
    result = upsert(editor, {"kind": "BANK", "name": "Mut Test Bank"})
    assert result["entity"]["id"] == "mut-test-bank"


@pytest.mark.parametrize(
    ("ent", "expected"),
    [
        (entity("mut-bad-prop", properties={"colour": "red"}), "not declared"),
        (entity("mut-bad-type", properties={"memberCount": "many"}), "must be int"),
        (entity("Not A Slug"), "lowercase slug"),
        (entity("mut-blank", name="  "), "name is required"),
    ],
)
def test_invalid_entity_is_a_validation_error(editor, ent, expected):
    result = upsert(editor, ent)
    assert result["__typename"] == "ValidationError"
    assert any(expected in p for p in result["problems"]), result
    _assert_readable(result)


def _assert_readable(result: dict) -> None:
    """A mutation's problems name its arguments, never a place in a bulk file, and show
    no Python list."""
    for problem in result["problems"]:
        assert problem.split(":")[0] in ("entity", "relationship", "provenance.source"), problem
        assert "[" not in problem, problem
        assert "entities" not in problem, problem


def test_an_undeclared_property_is_named_with_the_declared_ones(editor):
    result = upsert(editor, entity("mut-colour", properties={"colour": "red"}))
    assert result["__typename"] == "ValidationError"
    [problem] = result["problems"]
    assert problem.startswith(
        "entity: property 'colour' is not declared; the declared ones are "
    ), problem
    assert "memberCount" in problem, problem
    assert problem.count(" and ") == 1, problem  # "a, b and c", not a Python list
    _assert_readable(result)


def test_a_source_without_a_title_is_named_by_its_argument(editor):
    source = {"id": "mut-untitled", "title": ""}
    result = editor.data(
        UPSERT_ENTITY, {"e": entity("mut-untitled-e"), "p": {"source": source, "paragraph": 1}}
    )["upsertEntity"]
    assert result["__typename"] == "ValidationError"
    assert result["problems"] == ["provenance.source: title is required"], result


@pytest.mark.parametrize("key", ["_changes", "_prov", "id", "kind", "_anything"])
def test_properties_the_service_keeps_are_refused(editor, key):
    result = upsert(editor, entity("mut-kept", properties={key: ["forged"]}))
    assert result["__typename"] == "ValidationError"
    assert any(f"property {key!r} is kept by the service" in p for p in result["problems"])
    upsert(editor, entity("mut-kept-a"))
    rel = {"from": "mut-kept-a", "type": "MEMBER_OF", "to": "mut-kept-a", "properties": {key: 1}}
    result = editor.data(UPSERT_REL, {"r": rel, "p": prov()})["upsertRelationship"]
    assert result["__typename"] == "ValidationError"
    assert "is kept by the service" in result["message"]
    assert editor.data('{ entity(id: "mut-kept") { id } }')["entity"] is None


def test_provenance_needs_a_locator(editor):
    result = editor.data(UPSERT_ENTITY, {"e": entity("mut-noloc"), "p": {"source": SOURCE_A}})[
        "upsertEntity"
    ]
    assert result["__typename"] == "ValidationError"


def test_kind_conflict_writes_nothing(editor):
    upsert(editor, entity("mut-kind", kind="ORGANIZATION"))
    result = upsert(editor, entity("mut-kind", kind="BANK", name="Other"))
    assert result["__typename"] == "ConflictError"
    assert result["message"] == (
        "id mut-kind already belongs to an entity of kind ORGANIZATION, not BANK"
    )
    current = editor.data('{ entity(id: "mut-kind") { kind name } }')["entity"]
    assert current == {"kind": "ORGANIZATION", "name": "Mut Kind"}


def test_relationship_upsert_and_errors(editor):
    upsert(editor, entity("mut-lender", kind="BANK"))
    upsert(
        editor, entity("mut-credit", kind="CREDIT", properties={"amount": 5e6, "currency": "CNY"})
    )
    rel = {"from": "mut-lender", "type": "LENT", "to": "mut-credit"}
    result = editor.data(UPSERT_REL, {"r": rel, "p": prov(paragraph=4)})["upsertRelationship"]
    assert result["__typename"] == "RelationshipWritten"
    assert result["created"] is True
    assert result["provenance"] == [{"paragraph": 4, "source": {"id": "mut-source-a"}}]
    # Asserted again by another paragraph: the same relationship, not a second one, so
    # totals (which rely on one relationship per pair and type) count the credit once.
    again = editor.data(UPSERT_REL, {"r": rel, "p": prov(paragraph=5)})["upsertRelationship"]
    assert again["created"] is False
    assert len(again["provenance"]) == 2
    totals = editor.data(
        "{ creditTotals(groupBy: LENDER) { entity { id } total { amount } count } }"
    )
    mine = {"entity": {"id": "mut-lender"}, "total": {"amount": 5e6}, "count": 1}
    assert mine in totals["creditTotals"]

    missing = {"from": "mut-lender", "type": "LENT", "to": "mut-nowhere"}
    result = editor.data(UPSERT_REL, {"r": missing, "p": prov()})["upsertRelationship"]
    assert result["__typename"] == "NotFoundError"
    assert result["id"] == "mut-nowhere"

    backwards = {"from": "mut-credit", "type": "LENT", "to": "mut-lender"}
    result = editor.data(UPSERT_REL, {"r": backwards, "p": prov()})["upsertRelationship"]
    assert result["__typename"] == "ValidationError"
    assert result["message"].endswith(
        "LENT cannot join an entity of kind CREDIT to one of kind BANK; "
        "LENT joins ORGANIZATION or BANK to CREDIT"
    ), result["message"]

    undeclared = {"from": "mut-lender", "type": "LIKES", "to": "mut-credit"}
    result = editor.data(UPSERT_REL, {"r": undeclared, "p": prov()})["upsertRelationship"]
    assert result["__typename"] == "ValidationError"
    assert result["problems"] == [
        "relationship: type must be ADMINISTERS, ATTENDED, AWARDED, BORROWED, COMMENTED_ON, "
        "CONTRIBUTED_TO, ESTABLISHED, HELD_AT, HOLDS_POSITION, LAUNCHED, LENT, LOCATED_IN, "
        "MEMBER_OF, ORGANIZED, OWNS, PARTY_TO, PART_OF, RECEIVED, SECURES or UNDER, got 'LIKES'"
    ], result
    _assert_readable(result)


DELETE = """mutation($id: ID!) { deleteEntity(id: $id, reason: "test") { __typename
  ... on Deleted { id relationshipsRemoved } ... on ForbiddenError { code }
  ... on NotFoundError { code } } }"""


def test_delete_needs_admin_and_is_recorded(editor, admin):
    upsert(editor, entity("mut-doomed"))
    assert editor.data(DELETE, {"id": "mut-doomed"})["deleteEntity"]["code"] == "FORBIDDEN"
    result = admin.data(DELETE, {"id": "mut-doomed"})["deleteEntity"]
    assert result == {"__typename": "Deleted", "id": "mut-doomed", "relationshipsRemoved": 0}
    assert admin.data('{ entity(id: "mut-doomed") { id } }')["entity"] is None
    again = admin.data(DELETE, {"id": "mut-doomed"})["deleteEntity"]
    assert again == {"__typename": "NotFoundError", "code": "NOT_FOUND"}
    history = admin.data('{ history(id: "mut-doomed") { action by note } }')["history"]
    assert history[0]["action"] == "delete"
    assert history[0]["note"] == "test"
    assert history[0]["by"] == "mut-admin"  # the key's name, not its id
    assert history[-1]["action"] == "create"
    assert history[-1]["by"] == "mut-editor"


MERGE = """mutation($s: ID!, $m: ID!) { mergeEntities(survivorId: $s, mergedId: $m) {
  __typename ... on EntityWritten { entity { id aliases provenance { source { id } }
    relationships { type other { id } } } }
  ... on ConflictError { message } ... on NotFoundError { id } ... on ForbiddenError { code } } }"""


def test_merge_moves_everything_and_keeps_the_old_id(http, tokens, editor, admin):
    upsert(editor, entity("mut-bank-of-x", kind="BANK", name="Bank of X"), prov(paragraph=1))
    upsert(
        editor,
        entity("mut-box", kind="BANK", name="BOX", aliases=["B.O.X."]),
        prov(SOURCE_B, paragraph=9),
    )
    upsert(editor, entity("mut-loan", kind="CREDIT"))
    rel = {"from": "mut-box", "type": "LENT", "to": "mut-loan"}
    editor.data(UPSERT_REL, {"r": rel, "p": prov(SOURCE_B, paragraph=9)})

    reader = Client(http, tokens["reader"])
    assert reader.data(MERGE, {"s": "mut-bank-of-x", "m": "mut-box"})["mergeEntities"] == {
        "__typename": "ForbiddenError",
        "code": "FORBIDDEN",
    }
    # Editors merge (issue 15: they settle the duplicates they find).
    result = editor.data(MERGE, {"s": "mut-bank-of-x", "m": "mut-box"})["mergeEntities"]
    survivor = result["entity"]
    assert survivor["id"] == "mut-bank-of-x"
    assert {"BOX", "B.O.X."} <= set(survivor["aliases"])
    assert {p["source"]["id"] for p in survivor["provenance"]} == {"mut-source-a", "mut-source-b"}
    assert survivor["relationships"] == [{"type": "LENT", "other": {"id": "mut-loan"}}]

    old = admin.data('{ entity(id: "mut-box") { id name } }')["entity"]
    assert old == {"id": "mut-bank-of-x", "name": "Bank of X"}
    lender = admin.data('{ entity(id: "mut-loan") { ... on Credit { lender { id } } } }')
    assert lender["entity"]["lender"]["id"] == "mut-bank-of-x"
    found = admin.data('{ search(text: "BOX", kinds: [BANK]) { entity { id } } }')["search"]
    assert found[0]["entity"]["id"] == "mut-bank-of-x"
    history = admin.data('{ history(id: "mut-bank-of-x") { action by } }')["history"]
    assert history[0] == {"action": "merge", "by": "mut-editor"}

    # Writing to the merged id now lands on the survivor.
    again = upsert(editor, entity("mut-box", kind="BANK", name="Bank of X"))
    assert again["entity"]["id"] == "mut-bank-of-x"

    different = admin.data(MERGE, {"s": "mut-bank-of-x", "m": "mut-loan"})["mergeEntities"]
    assert different["__typename"] == "ConflictError"


def test_history_lists_changes_newest_first_with_provenance(editor, admin):
    upsert(editor, entity("mut-hist"), prov(paragraph=1))
    upsert(editor, entity("mut-hist", properties={"orgType": "fund"}), prov(SOURCE_B, paragraph=2))
    history = admin.data(
        '{ history(id: "mut-hist") { action by via at provenance { paragraph source { id } } } }'
    )["history"]
    assert [h["action"] for h in history] == ["update", "create"]
    assert history[0]["by"] == "mut-editor"
    assert history[0]["via"] == "api"
    assert history[0]["at"] >= history[1]["at"]
    assert history[0]["provenance"] == [{"paragraph": 2, "source": {"id": "mut-source-b"}}]


MERGE_WITH_REASON = """mutation($s: ID!, $m: ID!, $why: String) {
  mergeEntities(survivorId: $s, mergedId: $m, reason: $why) { __typename } }"""
AUTHORS = """query($id: ID!) { history(id: $id) { action by note via
  provenance { paragraph source { id } } } }"""


def test_history_shows_authors_and_notes_to_editors_and_admins_only(http, tokens, editor, admin):
    upsert(editor, entity("mut-authored"), prov(paragraph=5))
    upsert(editor, entity("mut-authored-dup"), prov(SOURCE_B, paragraph=6))
    why = "same firm, says Jane Roe (jane@example.org)"
    merged = admin.data(
        MERGE_WITH_REASON, {"s": "mut-authored", "m": "mut-authored-dup", "why": why}
    )
    assert merged["mergeEntities"]["__typename"] == "EntityWritten"

    def seen_by(client):
        return client.data(AUTHORS, {"id": "mut-authored"})["history"]

    for client in (Client(http), Client(http, tokens["reader"])):
        history = seen_by(client)
        assert [h["action"] for h in history] == ["merge", "create", "create"]
        assert all(h["by"] is None and h["note"] is None for h in history), history
        assert all(h["via"] == "api" and h["provenance"] for h in history)
    for client in (editor, admin):
        history = seen_by(client)
        assert [(h["action"], h["by"]) for h in history] == [
            ("merge", "mut-admin"),
            ("create", "mut-editor"),
            ("create", "mut-editor"),
        ]
        assert history[0]["note"] == why
        assert history[0]["provenance"] == [{"paragraph": 6, "source": {"id": "mut-source-b"}}]
    # The merged-away id reads the same history.
    assert Client(http).data(AUTHORS, {"id": "mut-authored-dup"})["history"] == seen_by(
        Client(http)
    )


def test_seed_changes_carry_the_seed_provenance(http, admin):
    history = admin.data(AUTHORS, {"id": "bank-of-beijing"})["history"]
    seeded = [h for h in history if h["via"] == "seed"]
    assert seeded, history
    assert all(h["by"] == "seed" for h in seeded)
    entity_change = next(h for h in seeded if h["action"] == "create")
    assert {"paragraph": 5, "source": {"id": "chinadaily-2013-08-02-zgc-ip-service-alliance"}} in (
        entity_change["provenance"]
    )
    for h in seeded:
        assert h["provenance"], h
        assert all(p["source"]["id"].startswith("chinadaily-") for p in h["provenance"])
    assert all(
        h["by"] is None for h in Client(http).data(AUTHORS, {"id": "bank-of-beijing"})["history"]
    )


def _post_many(url, token, payloads, workers=50):
    def post(payload):
        with httpx.Client(base_url=url, timeout=60) as client:
            return client.post(
                "/graphql", json=payload, headers={"Authorization": f"Bearer {token}"}
            ).json()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(post, payloads))


def test_fifty_concurrent_upserts_make_one_node(server, tokens, settings):
    payloads = [
        {
            "query": UPSERT_ENTITY,
            "variables": {
                "e": entity("mut-race", aliases=[f"alias {i}"]),
                "p": prov(paragraph=i + 1),
            },
        }
        for i in range(50)
    ]
    results = _post_many(server.url, tokens["editor"], payloads)
    assert all(r["data"]["upsertEntity"]["__typename"] == "EntityWritten" for r in results), results
    assert sum(r["data"]["upsertEntity"]["created"] for r in results) == 1

    rel_payloads = [
        {
            "query": UPSERT_REL,
            "variables": {
                "r": {"from": "mut-race", "type": "MEMBER_OF", "to": "mut-acme"},
                "p": prov(paragraph=i + 1),
            },
        }
        for i in range(50)
    ]
    results = _post_many(server.url, tokens["editor"], rel_payloads)
    assert all(
        r["data"]["upsertRelationship"]["__typename"] == "RelationshipWritten" for r in results
    ), results

    async def counts():
        db = Database(settings)
        try:
            [row] = await db.read(
                (
                    "MATCH (n:Entity {id: 'mut-race'}) "
                    "RETURN count(n) AS nodes, size(n.aliases) AS aliases, size(n._prov) AS prov, "
                    "COUNT { (n)-[:MEMBER_OF]->(:Entity {id: 'mut-acme'}) } AS edges, "
                    "[(n)-[r:MEMBER_OF]->() | size(r._prov)][0] AS edgeProv",
                    {},
                )
            )
            return row
        finally:
            await db.close()

    row = asyncio.run(counts())
    assert row == {"nodes": 1, "aliases": 50, "prov": 50, "edges": 1, "edgeProv": 50}


def test_a_failed_unit_of_work_writes_nothing(settings):
    async def attempt():
        db = Database(settings)
        try:

            async def work(tx):
                await tx.run(("CREATE (:Entity {id: 'mut-half', kind: 'ORGANIZATION'})", {}))
                raise RuntimeError("boom after the first statement")

            with pytest.raises(RuntimeError):
                await db.transaction(work)
            return await db.read(("MATCH (n:Entity {id: 'mut-half'}) RETURN n", {}))
        finally:
            await db.close()

    assert asyncio.run(attempt()) == []
