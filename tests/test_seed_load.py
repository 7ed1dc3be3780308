"""Loading the seed twice changes nothing; the loader refuses facts that break the domain."""

import asyncio
import copy
import json

import pytest

from graph.bulk.document import write_document
from graph.cypher.writes import graph_counts
from graph.db import Database
from graph.facts import InvalidFacts, check_facts
from seed.loader import SEED_DIR, load_seed


def _article() -> dict:
    return json.loads((SEED_DIR / "article.json").read_text(encoding="utf-8"))


async def _counts_after_reload(settings):
    db = Database(settings)
    try:
        [before] = await db.read(graph_counts())
        reports = await load_seed(db)
        [after] = await db.read(graph_counts())
        [constraints] = await db.read(("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS c", {}))
        return before, after, reports, constraints["c"]
    finally:
        await db.close()


def test_reloading_the_seed_changes_nothing(settings, gql):
    before, after, reports, constraints = asyncio.run(_counts_after_reload(settings))
    assert before == after
    assert before["nodes"] > 30
    assert before["relationships"] > 30
    for load in reports:
        assert load.skipped  # the same file again: only its fingerprint is read
        r = load.report
        assert (r.entities_created, r.entities_updated, r.rejected) == (0, 0, [])
        assert (r.relationships_created, r.relationships_updated) == (0, 0)
    assert {"entity_id", "source_id"} <= set(constraints)
    # And the API still answers with one provenance entry per paragraph, not duplicates.
    prov = gql('{ entity(id: "bank-of-beijing") { provenance { paragraph } } }')
    paragraphs = [p["paragraph"] for p in prov["entity"]["provenance"]]
    assert len(paragraphs) == len(set(paragraphs))


def test_seed_file_conforms_to_the_domain():
    assert check_facts(_article()) == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["entities"][0].update(kind="SPACESHIP"), "kind must be ORGANIZATION, "),
        (lambda d: d["entities"][0].update(id="Not A Slug"), "lowercase slug"),
        (lambda d: d["entities"][0].update(provenance=[]), "provenance must be a non-empty"),
        (lambda d: d["relationships"][0].update(type="LIKES"), "type must be ADMINISTERS, "),
        (lambda d: d["relationships"][0].update(to="nowhere"), "unknown to entity"),
        (lambda d: d["entities"][0]["properties"].update(colour="red"), "not declared"),
    ],
)
def test_bad_facts_are_refused_whole(settings, mutate, expected):
    doc = copy.deepcopy(_article())
    doc["source"]["id"] = "a-bad-document"
    mutate(doc)

    async def attempt():
        db = Database(settings)
        try:
            with pytest.raises(InvalidFacts) as info:
                await write_document(db, doc)
            rows = await db.read(("MATCH (s:Source {id: 'a-bad-document'}) RETURN s", {}))
            return info.value.problems, rows
        finally:
            await db.close()

    problems, rows = asyncio.run(attempt())
    assert any(expected in p for p in problems), problems
    assert rows == []  # nothing was written
