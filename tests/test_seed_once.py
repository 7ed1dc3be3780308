"""The seed loads once: a start with the same seed file writes nothing (one read of its
fingerprint), and a changed seed file adds its new facts without overwriting what an
editor set since. Against the real Neo4j, through the code `make run` uses (graph.cli)."""

from __future__ import annotations

import asyncio
import json

import pytest

from graph import cli
from graph.auth.keys import create_key
from graph.bulk.writer import Guard
from graph.db import Database
from seed.loader import SEED_DIR, load_seed, load_seed_file
from tests.conftest import wipe_and_seed

CREDIT = "potevio-credit-bank-of-beijing"
SEED_SOURCE = "chinadaily-2013-08-02-zgc-ip-service-alliance"
EDIT = """
mutation($e: EntityInput!, $p: ProvenanceInput!) {
  upsertEntity(entity: $e, provenance: $p) { __typename ... on EntityWritten { changed } }
}"""
READ = """query($id: ID!) { entity(id: $id) { name properties
  provenance { paragraph source { id } } } }"""


def _article() -> dict:
    return json.loads((SEED_DIR / "article.json").read_text(encoding="utf-8"))


async def _with_db(settings, work):
    db = Database(settings)
    try:
        return await work(db)
    finally:
        await db.close()


@pytest.fixture(scope="module")
def editor(settings, http):
    created = asyncio.run(_with_db(settings, lambda db: create_key(db, "seed-once", "editor")))
    yield {"Authorization": f"Bearer {created.token}"}
    # This module edits seed facts: the next module gets the seed graph exactly.
    asyncio.run(wipe_and_seed(settings))


def _entity(http, entity_id: str) -> dict:
    body = http.post("/graphql", json={"query": READ, "variables": {"id": entity_id}}).json()
    assert "errors" not in body, body
    return body["data"]["entity"]


def test_an_edit_survives_restarts_and_a_changed_seed(settings, http, editor, capsys, tmp_path):
    # An editor corrects the credit's amount, citing a second source.
    edit = {
        "e": {
            "id": CREDIT,
            "kind": "CREDIT",
            "name": "Bank of Beijing patent-backed credit to Potevio",
            "properties": {"amount": 210000000.0},
        },
        "p": {"source": {"id": "seed-once-filing", "title": "A later filing"}, "paragraph": 3},
    }
    body = http.post("/graphql", json={"query": EDIT, "variables": edit}, headers=editor).json()
    assert body["data"]["upsertEntity"] == {"__typename": "EntityWritten", "changed": True}

    # A restart: the same code as `make run`, with the seed file unchanged. One query
    # (the fingerprint), nothing written, one line said.
    sent: list[str] = []

    async def reload(db: Database):
        db.listeners.append(lambda text, params: sent.append(text))
        return await load_seed(db)

    [load] = asyncio.run(_with_db(settings, reload))
    assert load.skipped
    assert load.report.rows_written == 0
    assert len(sent) == 1, sent
    assert "SeedLoad" in sent[0]
    asyncio.run(cli._seed(settings))
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1, said
    assert "unchanged" in said[0]
    assert "nothing written" in said[0]
    assert _entity(http, CREDIT)["properties"]["amount"] == 210000000.0

    # A new release of the seed: one new entity, and new values for the edited amount
    # (the editor's stands) and for a value only the seed ever gave (it is corrected).
    doc = _article()
    for ent in doc["entities"]:
        if ent["id"] == CREDIT:
            ent["properties"]["amount"] = 205000000.0
            ent["properties"]["convertedAmount"] = 33000000.0
    doc["entities"].append(
        {
            "id": "seed-once-new-fact",
            "kind": "ORGANIZATION",
            "name": "A firm the new seed names",
            "properties": {"orgType": "company"},
            "provenance": [{"paragraph": 8}],
        }
    )
    changed = tmp_path / "article.json"
    changed.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    async def load_changed(db: Database):
        return await load_seed_file(db, changed, name="article.json")

    loaded = asyncio.run(_with_db(settings, load_changed))
    assert not loaded.skipped
    assert loaded.report.entities_created == 1
    assert loaded.report.entities_updated == 1  # the credit's convertedAmount
    assert loaded.report.relationships_created == loaded.report.relationships_updated == 0
    credit = _entity(http, CREDIT)
    assert credit["properties"]["amount"] == 210000000.0  # the editor's, not the seed's
    assert credit["properties"]["convertedAmount"] == 33000000.0
    sources = {p["source"]["id"] for p in credit["provenance"]}
    assert sources == {SEED_SOURCE, "seed-once-filing"}
    assert _entity(http, "seed-once-new-fact")["name"] == "A firm the new seed names"

    # Back to the original file (it changed again, so it loads): the seed's own value
    # returns, the editor's still stands, and the next start is skipped again.
    [back] = asyncio.run(_with_db(settings, load_seed))
    assert not back.skipped
    assert back.report.entities_updated == 1
    credit = _entity(http, CREDIT)
    assert credit["properties"]["amount"] == 210000000.0
    assert credit["properties"]["convertedAmount"] == 32640000.0
    [again] = asyncio.run(_with_db(settings, load_seed))
    assert again.skipped


def test_a_deleted_fingerprint_reloads_without_changing_anything(settings):
    async def work(db: Database):
        await db.write(("MATCH (s:SeedLoad) DELETE s", {}))
        [load] = await load_seed(db)
        [again] = await load_seed(db)
        return load, again

    load, again = asyncio.run(_with_db(settings, work))
    assert not load.skipped
    assert load.report.entities_created == load.report.entities_updated == 0
    assert load.report.relationships_created == load.report.relationships_updated == 0
    assert again.skipped


GUARD = Guard(source="seed-src", via="seed")


@pytest.mark.parametrize(
    ("state", "key", "writable"),
    [
        ({"keys": ["name"], "setBy": None, "prov": ["seed-src|1|"]}, "amount", True),
        ({"keys": ["amount"], "setBy": ["amount|seed-src|seed"], "prov": []}, "amount", True),
        ({"keys": ["amount"], "setBy": ["amount|other|api"], "prov": []}, "amount", False),
        # The seed's own source, but written by an editor through the API: theirs.
        ({"keys": ["amount"], "setBy": ["amount|seed-src|api"], "prov": []}, "amount", False),
        # Set before `_setBy` was kept: the seed's while nobody else is in the provenance.
        ({"keys": ["amount"], "setBy": None, "prov": ["seed-src|5|"]}, "amount", True),
        ({"keys": ["amount"], "setBy": [], "prov": ["seed-src|5|", "b|1|"]}, "amount", False),
    ],
)
def test_guard_writes_only_absent_or_own_values(state, key, writable):
    assert GUARD.writable(state)(key) is writable
