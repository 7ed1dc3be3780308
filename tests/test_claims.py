"""Claims and conflicts over HTTP against the real Neo4j: several sources giving one
property values that agree or not, the value shown, conflicts listed and resolved, with
history. Everything written here has ids starting `clm-` and is removed at teardown."""

import asyncio
import datetime as dt

import pytest

from graph import claims
from graph.auth.keys import create_key
from graph.db import Database
from tests.conftest import Client

SEED_SOURCE = "chinadaily-2013-08-02-zgc-ip-service-alliance"


# --- the rules, without a database (graph/claims.py) ----------------------------------


def _stored(kind: str, rows: list[tuple[dict, str]], name: str = "X") -> dict:
    """A fact's `_claims` after `rows` of (properties, provenance entry), in order."""
    entries: list[str] = []
    for props, prov in rows:
        for c in claims.row_claims(kind, props, [prov], name=name, target="t"):
            entries += [e for e in c["entries"] if e not in entries]
    return {"kind": kind, "name": name, "_claims": entries}


def test_values_compare_in_their_canonical_form():
    amount = claims.ENTITY_GROUPS["CREDIT"]["amount"]
    assert claims.value_key(amount, {"amount": 1e8, "currency": "CNY"}) == claims.value_key(
        amount, {"amount": 100_000_000, "currency": "CNY"}
    )
    assert claims.value_key(amount, {"amount": 1e8, "currency": "USD"}) != claims.value_key(
        amount, {"amount": 1e8, "currency": "CNY"}
    )
    assert claims.value_key(amount, {"currency": "CNY"}) is None
    assert claims.canonical(dt.date(2013, 7, 30)) == '"2013-07-30"'
    assert claims.canonical(2.5) == "2.5"


def test_a_row_claims_each_property_once_per_provenance_entry():
    made = claims.row_claims(
        "CREDIT",
        {"amount": 5.0, "currency": "CNY", "collateral": "patents"},
        ["s1|1|", "s2|3|"],
        name="Loan",
        aliases=["L"],
        target="loan",
    )
    by = {c["prefix"].rstrip(claims.SEP): c for c in made}
    assert set(by) == {"name", "amount", "collateral", "aliases"}
    assert len(by["amount"]["entries"]) == 2
    assert by["amount"]["set"] == {"amount": 5.0, "currency": "CNY"}
    assert by["amount"]["conflict"] == "loan#amount"
    assert by["aliases"]["multi"] is True


def test_the_shown_value_has_most_sources_and_ties_go_to_the_newest():
    fact = _stored(
        "CREDIT",
        [
            ({"collateral": "patents"}, "s1|1|"),
            ({"collateral": "patents"}, "s2|1|"),
            ({"collateral": "trademarks"}, "s3|1|"),
            ({"collateral": "trademarks"}, "s3|2|"),  # one source, twice: still one source
        ],
    )
    fact["collateral"] = "patents"
    found = claims.claims_of(fact, "CREDIT")["collateral"]
    assert [(c.value, len(c.sources), c.status) for c in found] == [
        ("patents", 2, "SHOWN"),
        ("trademarks", 1, "ALTERNATIVE"),
    ]
    assert claims.contested(fact, "CREDIT") == ["collateral"]
    # Without s2, one source each: the newest (trademarks) is shown.
    after = claims.without_source(fact, "CREDIT", "s2")
    assert after["collateral"] == "trademarks"
    # A pin holds whatever the counts, and marks the others rejected.
    pinned = {**fact, "_pinned": [f'collateral{claims.SEP}"patents"']}
    assert claims.without_source(pinned, "CREDIT", "s2")["collateral"] == "patents"
    statuses = [c.status for c in claims.claims_of(pinned, "CREDIT")["collateral"]]
    assert statuses == ["SHOWN", "REJECTED"]


def test_retracting_and_restoring_a_source_round_trips():
    fact = _stored(
        "CREDIT",
        [({"collateral": "patents"}, "s1|1|"), ({"collateral": "trademarks"}, "s2|1|")],
    )
    fact.update(
        collateral="trademarks",
        aliases=["Old"],
        _prov=["s1|1|", "s2|1|"],
        _setBy=["collateral|s2|api"],
        _pinned=[f'collateral{claims.SEP}"trademarks"'],
    )
    gone = claims.without_source(fact, "CREDIT", "s2")
    assert gone["collateral"] == "patents"
    assert gone["_prov"] == ["s1|1|"]
    assert gone["_setBy"] == []
    assert "_pinned" not in gone  # nothing left to choose between
    assert gone["aliases"] == ["Old"]  # never claimed: kept
    back = claims.with_source_again(gone, "CREDIT", fact, "s2")
    assert sorted(back["_claims"]) == sorted(fact["_claims"])
    assert back["_prov"] == ["s1|1|", "s2|1|"]
    assert back["collateral"] == "trademarks"  # a tie, and s2's claims are the newest again
    # With no claim left at all, a property goes, but a name stays.
    bare = claims.without_source(_stored("CREDIT", [({"collateral": "x"}, "s9||")]), "CREDIT", "s9")
    assert "collateral" not in bare
    assert bare["name"] == "X"


def test_a_merge_turns_the_merged_names_into_alias_claims():
    survivor = _stored("BANK", [({}, "s1|1|")], name="Bank of Beijing")
    merged = _stored("BANK", [({}, "s2|1|")], name="BOB")
    entries = claims.merged(survivor, merged)
    found = claims.claims_of({**survivor, "_claims": entries}, "BANK")
    assert [c.value for c in found["name"]] == ["Bank of Beijing"]
    assert [c.value for c in found["aliases"]] == ["BOB"]


def source(n: int) -> dict:
    return {"id": f"clm-source-{n}", "title": f"Claims test article {n}"}


UPSERT_ENTITY = """
mutation($e: EntityInput!, $p: ProvenanceInput!) {
  upsertEntity(entity: $e, provenance: $p) { __typename ... on ValidationError { problems } }
}"""
UPSERT_REL = """
mutation($r: RelationshipInput!, $p: ProvenanceInput!) {
  upsertRelationship(relationship: $r, provenance: $p) {
    __typename ... on ValidationError { problems } }
}"""
CREDIT = """
query($id: ID!, $p: String) { entity(id: $id) { ... on Credit {
  amount { amount currency } convertedAmount { amount currency } contested
  claims(property: $p) { property value status sourceCount
    provenance { paragraph source { id } } } } } }"""
CONFLICTS = """
query($entity: ID, $kind: String, $source: ID, $status: ConflictStatus, $after: String,
      $first: Int = 20) {
  conflicts(entity: $entity, kind: $kind, source: $source, status: $status, first: $first,
            after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id property kind status note shown entity { id }
      relationship { id type from to }
      claims { value status sourceCount provenance { source { id } } } } } } }"""
RESOLVE = """
mutation($id: ID!, $value: JSON!, $note: String) {
  resolveConflict(id: $id, value: $value, note: $note) {
    __typename
    ... on ConflictResolved { conflict { id status note shown claims { value status } } }
    ... on ValidationError { code problems }
    ... on NotFoundError { code message }
    ... on ForbiddenError { code message }
  }
}"""


async def _cleanup(settings):
    db = Database(settings)
    try:
        for query in (
            "MATCH (n:Entity) WHERE n.id STARTS WITH 'clm-' DETACH DELETE n",
            "MATCH (k:Conflict) WHERE k.subject STARTS WITH 'clm-' DELETE k",
            "MATCH (c:Change) WHERE c.subject STARTS WITH 'clm-' DELETE c",
            "MATCH (s:Source) WHERE s.id STARTS WITH 'clm-' DELETE s",
            "MATCH (k:ApiKey) WHERE k.name STARTS WITH 'clm-' DELETE k",
        ):
            await db.write((query, {}))
    finally:
        await db.close()


@pytest.fixture(scope="module")
def tokens(settings):
    async def make():
        db = Database(settings)
        try:
            return {
                role: (await create_key(db, f"clm-{role}", role)).token
                for role in ("reader", "editor")
            }
        finally:
            await db.close()

    made = asyncio.run(make())
    yield made
    asyncio.run(_cleanup(settings))


@pytest.fixture(scope="module")
def editor(http, tokens):
    return Client(http, tokens["editor"])


def credit(editor, n: int, amount: float, currency: str = "CNY", **more) -> None:
    props = {"amount": amount, "currency": currency, **more}
    entity = {"id": "clm-credit", "kind": "CREDIT", "name": "Claims test credit"}
    body = editor.data(
        UPSERT_ENTITY,
        {"e": {**entity, "properties": props}, "p": {"source": source(n), "paragraph": n}},
    )
    assert body["upsertEntity"]["__typename"] == "EntityWritten", body


def test_the_seed_article_loads_with_no_conflicts(gql):
    data = gql(CONFLICTS, {"source": SEED_SOURCE})
    assert data["conflicts"]["totalCount"] == 0
    data = gql(CREDIT, {"id": "potevio-credit-bank-of-beijing", "p": "amount"})
    [claim] = data["entity"]["claims"]
    assert claim["status"] == "SHOWN"
    assert claim["value"] == {"amount": 200_000_000, "currency": "CNY"}
    assert [p["source"]["id"] for p in claim["provenance"]] == [SEED_SOURCE]


def test_sources_agreeing_add_to_one_claim_and_disagreeing_add_a_second(editor, gql):
    credit(editor, 1, 100_000_000)
    # The same sum written 1e8 as a float by a second source: one claim, two sources.
    credit(editor, 2, 1.0e8, convertedAmount=16_000_000, convertedCurrency="USD")
    data = gql(CREDIT, {"id": "clm-credit", "p": None})["entity"]
    assert data["contested"] == []
    amount = [c for c in data["claims"] if c["property"] == "amount"]
    assert [(c["value"], c["sourceCount"], c["status"]) for c in amount] == [
        ({"amount": 100_000_000, "currency": "CNY"}, 2, "SHOWN")
    ]
    # A source's own conversion is a claim about the converted money, not a conflict.
    converted = [c for c in data["claims"] if c["property"] == "convertedAmount"]
    assert [c["value"] for c in converted] == [{"amount": 16_000_000, "currency": "USD"}]

    credit(editor, 3, 120_000_000)
    data = gql(CREDIT, {"id": "clm-credit", "p": "amount"})["entity"]
    assert data["contested"] == ["amount"]
    assert data["amount"] == {"amount": 100_000_000.0, "currency": "CNY"}  # 2 sources to 1
    assert [(c["value"]["amount"], c["sourceCount"], c["status"]) for c in data["claims"]] == [
        (100_000_000, 2, "SHOWN"),
        (120_000_000, 1, "ALTERNATIVE"),
    ]
    assert [p["source"]["id"] for p in data["claims"][1]["provenance"]] == ["clm-source-3"]
    # History has each claim change: the agreeing source's and the contradicting one's.
    history = editor.data(
        '{ history(id: "clm-credit") { action by provenance { source { id } } } }'
    )["history"]
    assert [
        (h["action"], h["by"], [p["source"]["id"] for p in h["provenance"]]) for h in history
    ] == [
        ("update", "clm-editor", ["clm-source-3"]),
        ("update", "clm-editor", ["clm-source-2"]),
        ("create", "clm-editor", ["clm-source-1"]),
    ]
    # The same figure in another currency is another sum: a claim of its own.
    credit(editor, 4, 100_000_000, currency="USD")
    data = gql(CREDIT, {"id": "clm-credit", "p": "amount"})["entity"]
    assert len(data["claims"]) == 3
    assert data["amount"]["currency"] == "CNY"


def test_a_tie_shows_the_value_asserted_most_recently(editor, gql):
    credit(editor, 5, 120_000_000)  # 120m now has two sources, as 100m has
    data = gql(CREDIT, {"id": "clm-credit", "p": "amount"})["entity"]
    assert data["amount"]["amount"] == 120_000_000
    shown = [c["value"]["amount"] for c in data["claims"] if c["status"] == "SHOWN"]
    assert shown == [120_000_000]


def test_conflicts_list_filter_and_page(editor, gql):
    found = gql(CONFLICTS, {"entity": "clm-credit"})["conflicts"]
    assert found["totalCount"] == 1
    [edge] = found["edges"]
    node = edge["node"]
    assert node["id"] == "clm-credit#amount"
    assert (node["property"], node["kind"], node["status"]) == ("amount", "CREDIT", "OPEN")
    assert node["entity"]["id"] == "clm-credit"
    assert node["relationship"] is None
    assert node["shown"] == {"amount": 120_000_000, "currency": "CNY"}
    assert {c["value"]["amount"] for c in node["claims"]} == {100_000_000, 120_000_000}
    assert gql(CONFLICTS, {"source": "clm-source-3"})["conflicts"]["totalCount"] == 1
    assert gql(CONFLICTS, {"source": SEED_SOURCE})["conflicts"]["totalCount"] == 0
    assert gql(CONFLICTS, {"kind": "BANK", "entity": "clm-credit"})["conflicts"]["edges"] == []

    # A relationship's property in conflict, listed by its type, paged after the first.
    for n in (1, 2):
        editor.data(
            UPSERT_ENTITY,
            {
                "e": {"id": f"clm-org-{n}", "kind": "ORGANIZATION", "name": f"Clm Org {n}"}
                if n == 1
                else {"id": "clm-event", "kind": "EVENT", "name": "Clm Event"},
                "p": {"source": source(n), "paragraph": 1},
            },
        )
    for n, role in ((1, "organizer"), (2, "co-organizer")):
        body = editor.data(
            UPSERT_REL,
            {
                "r": {
                    "from": "clm-org-1",
                    "type": "ORGANIZED",
                    "to": "clm-event",
                    "properties": {"role": role},
                },
                "p": {"source": source(n), "paragraph": 2},
            },
        )
        assert body["upsertRelationship"]["__typename"] == "RelationshipWritten", body
    rel = gql(CONFLICTS, {"kind": "ORGANIZED", "entity": "clm-event"})["conflicts"]
    [edge] = rel["edges"]
    assert edge["node"]["relationship"] == {
        "id": "clm-org-1|ORGANIZED|clm-event",
        "type": "ORGANIZED",
        "from": "clm-org-1",
        "to": "clm-event",
    }
    assert edge["node"]["shown"] == "co-organizer"
    first = gql(CONFLICTS, {"first": 1})["conflicts"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = gql(CONFLICTS, {"first": 100, "after": first["pageInfo"]["endCursor"]})["conflicts"]
    ids = [e["node"]["id"] for e in first["edges"] + rest["edges"]]
    assert ids == sorted(ids)
    assert len(ids) == len(set(ids)) == first["totalCount"]
    assert {"clm-credit#amount", "clm-org-1|ORGANIZED|clm-event#role"} <= set(ids)


def test_an_editor_resolves_a_conflict_and_the_choice_holds(editor, gql, http, tokens):
    reader = Client(http, tokens["reader"])
    refused = reader.data(RESOLVE, {"id": "clm-credit#amount", "value": {}})
    assert refused["resolveConflict"]["__typename"] == "ForbiddenError"
    missing = editor.data(RESOLVE, {"id": "clm-nothing#amount", "value": 1})
    assert missing["resolveConflict"]["__typename"] == "NotFoundError"
    wrong = editor.data(RESOLVE, {"id": "clm-credit#amount", "value": 5})
    assert wrong["resolveConflict"]["code"] == "VALIDATION"
    assert "100000000" in wrong["resolveConflict"]["problems"][0]

    chosen = {"amount": 100_000_000, "currency": "CNY"}
    done = editor.data(
        RESOLVE, {"id": "clm-credit#amount", "value": chosen, "note": "bank's own filing"}
    )["resolveConflict"]
    assert done["__typename"] == "ConflictResolved", done
    assert done["conflict"]["status"] == "RESOLVED"
    assert done["conflict"]["note"] == "bank's own filing"
    assert done["conflict"]["shown"] == chosen
    statuses = {
        (c["value"]["amount"], c["value"]["currency"]): c["status"]
        for c in done["conflict"]["claims"]
    }
    assert statuses == {
        (100_000_000, "CNY"): "SHOWN",
        (120_000_000, "CNY"): "REJECTED",
        (100_000_000, "USD"): "REJECTED",
    }

    # More sources for a value already weighed do not move the editor's choice.
    credit(editor, 6, 120_000_000)
    credit(editor, 7, 120_000_000)
    data = gql(CREDIT, {"id": "clm-credit", "p": "amount"})["entity"]
    assert data["amount"]["amount"] == 100_000_000
    found = gql(CONFLICTS, {"entity": "clm-credit", "kind": "CREDIT"})["conflicts"]
    assert found["edges"][0]["node"]["status"] == "RESOLVED"
    # A value nobody gave before reopens it; the choice stays shown until decided again.
    credit(editor, 8, 130_000_000)
    found = gql(CONFLICTS, {"entity": "clm-credit", "kind": "CREDIT"})["conflicts"]
    assert found["edges"][0]["node"]["status"] == "OPEN"
    data = gql(CREDIT, {"id": "clm-credit", "p": "amount"})["entity"]
    assert data["amount"]["amount"] == 100_000_000

    history = editor.data('{ history(id: "clm-credit") { action note } }')["history"]
    resolved = [h for h in history if h["action"] == "resolve"]
    assert len(resolved) == 1
    assert "bank's own filing" in resolved[0]["note"]


def test_bad_paging_arguments_are_refused(gql):
    error = gql.error("{ conflicts(first: 0) { totalCount } }")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    error = gql.error('{ conflicts(after: "nonsense") { totalCount } }')
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
