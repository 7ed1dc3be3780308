"""`python -m graph.cli ingest` as a user runs it: a subprocess against the test Neo4j.

Every id here starts with `bulk-`; the module removes those entities, their Change nodes
and their sources when it ends, so the other modules still see the seed graph exactly.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.auth.keys import create_key
from graph.bulk.command import file_input
from graph.bulk.ingestion import ingest as ingest_files
from graph.bulk.ingestion import migrate_claims
from graph.bulk.progress import Silent
from graph.bulk.report import IngestReport
from graph.db import Database
from graph.settings import ROOT, Settings
from tests.commands import cli_env, delete_prefixed, ingest, query
from tests.conftest import free_port

PREFIX = "bulk-"


def delete_bulk(settings: Settings) -> None:
    delete_prefixed(settings, PREFIX)


@pytest.fixture(scope="module", autouse=True)
def _clean(settings: Settings) -> Iterator[None]:
    delete_bulk(settings)  # leftovers of an interrupted run
    yield
    delete_bulk(settings)


def counts(settings: Settings, prefix: str) -> dict[str, int]:
    [row] = query(
        settings,
        "CALL () { MATCH (n:Entity) WHERE n.id STARTS WITH $p RETURN count(n) AS entities } "
        "CALL () { MATCH (a:Entity)-[r]->(:Entity) WHERE a.id STARTS WITH $p "
        "          RETURN count(r) AS relationships } "
        # Facts that point at the Change of the batch that wrote them (bulk ingestion
        # records one per batch, group and action), counted when that Change exists.
        "CALL () { MATCH (n:Entity) WHERE n.id STARTS WITH $p "
        "          RETURN sum(COUNT { UNWIND n._changes AS c MATCH (:Change {id: c}) }) AS e } "
        "CALL () { MATCH (a:Entity)-[r]->(:Entity) WHERE a.id STARTS WITH $p "
        "          RETURN sum(COUNT { UNWIND r._changes AS c MATCH (:Change {id: c}) }) AS r } "
        "WITH *, e + r AS changes "
        "CALL () { MATCH (s:Source) WHERE s.id STARTS WITH $p RETURN count(s) AS sources } "
        "RETURN entities, relationships, changes, sources",
        p=prefix,
    )
    return row


SUMMARY = re.compile(
    r"entities: (\d+) created, (\d+) updated, (\d+) unchanged\n"
    r"relationships: (\d+) created, (\d+) updated, (\d+) unchanged\n"
    r"rejected: (\d+)\n"
)


def summary(stdout: str) -> tuple[int, ...]:
    """(entities created, updated, unchanged, relationships created, updated, unchanged,
    rejected)."""
    match = SUMMARY.search(stdout)
    assert match, stdout
    return tuple(int(n) for n in match.groups())


# --- a generated file -----------------------------------------------------------------


def generated(prefix: str, orgs: int, people: int, links: int) -> list[dict[str, Any]]:
    """A source, organizations, people, and unique HOLDS_POSITION / MEMBER_OF links
    between them: every line creates exactly one thing."""
    source = f"{prefix}source"
    lines: list[dict[str, Any]] = [
        {
            "record": "source",
            "id": source,
            "title": f"Generated ({prefix})",
            "publishedOn": "2024-01-02",
        }
    ]
    for i in range(orgs):
        lines.append(
            {
                "id": f"{prefix}org-{i}",
                "kind": "BANK" if i % 10 == 0 else "ORGANIZATION",
                "name": f"Organization {i}",
                "aliases": [f"Org {i}"],
                "properties": {"description": f"number {i}"},
                "provenance": [{"source": source, "paragraph": 1 + i % 9}],
            }
        )
    for i in range(people):
        lines.append(
            {
                "id": f"{prefix}person-{i}",
                "kind": "PERSON",
                "name": f"Person {i}",
                "properties": {"anonymous": i % 7 == 0},
                "provenance": [{"source": source, "locator": f"p. {i}"}],
            }
        )
    for i in range(links):
        if i % 2:
            line = {
                "from": f"{prefix}person-{i % people}",
                "type": "HOLDS_POSITION",
                "to": f"{prefix}org-{(i // people) % orgs}",
                "properties": {"title": "Director"},
            }
        else:
            line = {
                "from": f"{prefix}org-{i % orgs}",
                "type": "MEMBER_OF",
                "to": f"{prefix}org-{(i % orgs + 1 + i // orgs) % orgs}",
            }
        lines.append({**line, "provenance": [{"source": source, "paragraph": 2}]})
    return lines


def write_jsonl(path: Path, lines: list) -> Path:
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
        encoding="utf-8",
    )
    return path


def test_a_generated_file_is_written_exactly_once(settings, tmp_path):
    prefix = f"{PREFIX}gen-"
    lines = generated(prefix, orgs=600, people=400, links=2000)
    path = write_jsonl(tmp_path / "generated.jsonl", lines)

    first = ingest(settings, path, "--batch-size", "700", "--by", "test:bulk")
    assert first.returncode == 0, first.stderr
    assert summary(first.stdout) == (1000, 0, 0, 2000, 0, 0, 0)
    assert "sources: 1" in first.stdout
    assert re.search(r"rate: 3000 rows in [\d.]+s .*: [\d,]+ rows/s", first.stdout)
    assert counts(settings, prefix) == {
        "entities": 1000,
        "relationships": 2000,
        "changes": 3000,
        "sources": 1,
    }
    [change] = query(
        settings,
        "MATCH (n:Entity {id: $id}) UNWIND n._changes AS cid MATCH (c:Change {id: cid}) "
        "RETURN c.by AS by, c.via AS via, c.action AS action, c.count AS count, c.note AS note",
        id=f"{prefix}org-1",
    )
    assert {k: change[k] for k in ("by", "via", "action")} == {
        "by": "test:bulk",
        "via": "ingest",
        "action": "create",
    }
    assert change["count"] >= 1
    assert "bulk ingestion" in change["note"]
    [bank] = query(
        settings,
        "MATCH (n:Bank {id: $id}) RETURN n.name AS name, n.aliases AS aliases, n._prov AS prov",
        id=f"{prefix}org-10",
    )
    assert bank == {
        "name": "Organization 10",
        "aliases": ["Org 10"],
        "prov": [f"{prefix}source|2|"],
    }

    again = ingest(settings, path)
    assert again.returncode == 0, again.stderr
    assert summary(again.stdout) == (0, 0, 1000, 0, 0, 2000, 0)
    assert counts(settings, prefix)["changes"] == 3000


def test_a_batch_of_new_facts_skips_the_upserts_and_still_records_its_change(settings, tmp_path):
    """The fast path's batches that create every row never run the claims' upsert (a
    statement Neo4j keeps planning again as a bulk load moves its statistics): the
    batch's Change nodes come from `record_batch`, with the counts the upsert would give.
    A second run of the same file finds every fact and goes through the upserts."""
    prefix = f"{PREFIX}fast-"
    path = write_jsonl(tmp_path / "fast.jsonl", generated(prefix, orgs=30, people=20, links=60))
    sent: list[str] = []

    async def run() -> IngestReport:
        db = Database(settings)
        db.listeners.append(lambda text, params: sent.append(text))
        origin = file_input(path)
        try:
            return await ingest_files(db, [origin], by="test:fast", via="ingest")
        finally:
            origin.close()
            await db.close()

    def statements(start: str) -> int:
        return sum(1 for text in sent if text.startswith(start))

    report = asyncio.run(run())
    assert (report.entities_created, report.relationships_created) == (50, 60)
    # Groups: BANK, ORGANIZATION, PERSON; HOLDS_POSITION, MEMBER_OF.
    fast_created = statements("WITH 0 AS written")
    upserts = statements("UNWIND $rows AS row OPTIONAL MATCH (a:Entity")
    upserts += statements("UNWIND $rows AS row MERGE (n:Entity {id: row.id}) ON CREATE SET n._new")
    assert (fast_created, upserts) == (5, 0)
    changes = query(
        settings,
        "MATCH (c:Change) WHERE c.by = 'test:fast' "
        "RETURN c.action AS action, c.target AS target, c.type AS type, c.count AS count "
        "ORDER BY target, type",
    )
    assert changes == [
        {"action": "create", "target": "entity", "type": "BANK", "count": 3},
        {"action": "create", "target": "entity", "type": "ORGANIZATION", "count": 27},
        {"action": "create", "target": "entity", "type": "PERSON", "count": 20},
        {"action": "create", "target": "relationship", "type": "HOLDS_POSITION", "count": 30},
        {"action": "create", "target": "relationship", "type": "MEMBER_OF", "count": 30},
    ]
    assert counts(settings, prefix)["changes"] == 110

    sent.clear()
    again = asyncio.run(run())
    assert (again.entities_created, again.relationships_created) == (0, 0)
    assert statements("WITH 0 AS written") == 0
    assert statements("UNWIND $rows AS row OPTIONAL MATCH (a:Entity") == 2


def test_a_store_from_before_claims_gets_the_claims_ingestion_would_write(settings, tmp_path):
    """`migrate_claims` (run by `ensure_schema` when a store's version node says claims
    were never given): facts written before claims existed, here facts ingested and then
    stripped of their claims, get back exactly the claims ingestion wrote, once."""
    prefix = f"{PREFIX}migrate-"
    lines = generated(prefix, orgs=12, people=6, links=20)
    lines[2]["properties"]["memberCount"] = 53  # an integer too (org-1, an organization)
    path = write_jsonl(tmp_path / "migrate.jsonl", lines)
    assert ingest(settings, path).returncode == 0
    claims_of = (
        "CALL () { MATCH (n:Entity) WHERE n.id STARTS WITH $p "
        "  RETURN n.id AS id, n._claims AS claims "
        "  UNION ALL MATCH (a:Entity)-[r]->(b:Entity) WHERE a.id STARTS WITH $p "
        "  RETURN a.id + ' ' + type(r) + ' ' + b.id AS id, r._claims AS claims } "
        "RETURN id, claims ORDER BY id"
    )
    written = query(settings, claims_of, p=prefix)
    assert len(written) == 38
    # Every entity (its name at least) and every HOLDS_POSITION (its title) claims
    # something; a MEMBER_OF here has no property, so no claim.
    assert sum(1 for row in written if row["claims"]) == 18 + 10
    query(
        settings,
        "MATCH (n:Entity) WHERE n.id STARTS WITH $p REMOVE n._claims "
        "WITH n MATCH (n)-[r]->(:Entity) REMOVE r._claims",
        p=prefix,
    )
    query(settings, "MATCH (v:GraphVersion {id: 'graph'}) SET v.claims = false")
    try:

        async def migrate() -> None:
            db = Database(settings)
            try:
                await migrate_claims(db)
            finally:
                await db.close()

        asyncio.run(migrate())
        [version] = query(settings, "MATCH (v:GraphVersion {id: 'graph'}) RETURN v.claims AS c")
        assert version["c"] is True
        migrated = query(settings, claims_of, p=prefix)
        assert [(r["id"], sorted(r["claims"] or [])) for r in migrated] == [
            (r["id"], sorted(r["claims"] or [])) for r in written
        ]
    finally:
        query(settings, "MATCH (v:GraphVersion {id: 'graph'}) SET v.claims = true")


# --- malformed files ------------------------------------------------------------------

BAD = f"{PREFIX}bad-"


def malformed() -> list:
    source = f"{BAD}source"
    prov = [{"source": source, "paragraph": 1}]
    return [
        {"record": "source", "id": source, "title": "A malformed file"},  # 1
        {"id": f"{BAD}a", "kind": "ORGANIZATION", "name": "A", "provenance": prov},  # 2
        {"id": f"{BAD}ship", "kind": "SPACESHIP", "name": "Ship", "provenance": prov},  # 3
        {
            "id": f"{BAD}c",
            "kind": "BANK",
            "name": "C",
            "properties": {"colour": "red"},
            "provenance": prov,
        },  # 4
        {
            "id": f"{BAD}launch",
            "kind": "EVENT",
            "name": "Launch",
            "properties": {"date": "2024-13-45"},
            "provenance": prov,
        },  # 5
        {"id": f"{BAD}d", "kind": "PLACE", "name": "D"},  # 6: no provenance
        '{"id": "bulk-bad-e", "kind": ',  # 7: broken JSON
        {"from": f"{BAD}a", "type": "LIKES", "to": f"{BAD}b", "provenance": prov},  # 8
        {"from": f"{BAD}a", "type": "MEMBER_OF", "to": f"{BAD}nowhere", "provenance": prov},
        {"from": f"{BAD}a", "type": "MEMBER_OF", "to": f"{BAD}b", "provenance": prov},  # 10
        {"id": f"{BAD}b", "kind": "ORGANIZATION", "name": "B", "provenance": prov},  # 11
    ]


def test_a_malformed_file_writes_nothing_and_names_every_bad_line(settings, tmp_path):
    path = write_jsonl(tmp_path / "malformed.jsonl", malformed())
    result = ingest(settings, path)
    assert result.returncode == 1
    assert counts(settings, BAD) == {"entities": 0, "relationships": 0, "changes": 0, "sources": 0}
    err = result.stderr
    assert "7 invalid rows (7 problems)" in err
    assert "Nothing was written" in err
    for line, reason in [
        (
            3,
            "kind must be ORGANIZATION, BANK, PERSON, PATENT, AGREEMENT, EVENT, CREDIT, "
            "GRANT or PLACE, got",
        ),
        (4, "property 'colour' is not declared"),
        (5, "property 'date' must be date, got '2024-13-45'"),
        (6, "provenance must be a non-empty list"),
        (7, "not valid JSON"),
        (8, "type must be ADMINISTERS, ATTENDED, "),
        (9, f"unknown to entity '{BAD}nowhere'"),
    ]:
        assert f"malformed.jsonl line {line}: {reason}" in err, err
    for good in (1, 2, 10, 11):
        assert f"malformed.jsonl line {good}:" not in err


def test_skip_invalid_writes_the_valid_rows(settings, tmp_path):
    path = write_jsonl(tmp_path / "malformed.jsonl", malformed())
    result = ingest(settings, path, "--skip-invalid")
    assert result.returncode == 1  # rows were invalid, even though the rest was written
    assert summary(result.stdout) == (2, 0, 0, 1, 0, 0, 0)
    assert "invalid: 7 rows" in result.stdout
    assert "malformed.jsonl line 9: unknown to entity" in result.stderr
    assert counts(settings, BAD) == {"entities": 2, "relationships": 1, "changes": 3, "sources": 1}


# --- CSV ------------------------------------------------------------------------------

CSV = f"{PREFIX}csv-"


def test_csv_files_round_trip_with_typed_properties(settings, tmp_path):
    source = tmp_path / "source.json"
    source.write_text(
        json.dumps(
            {
                "id": f"{CSV}source",
                "title": "A CSV export",
                "publishedOn": "2024-03-04",
                "authors": ["A. Writer"],
            }
        ),
        encoding="utf-8",
    )
    entities = tmp_path / "entities.csv"
    entities.write_text(
        "id,kind,name,aliases,source,paragraph,locator,memberCount,anonymous,date,"
        "attendeeGroups,amount,currency\n"
        f"{CSV}alliance,ORGANIZATION,Alliance,IP Alliance|联盟,{CSV}source,1,,53,,,,,\n"
        f"{CSV}jane,PERSON,Jane Doe,,{CSV}source,,byline,,true,,,,\n"
        f"{CSV}launch,EVENT,Launch,,{CSV}source,2,,,,2013-07-30,banks|firms,,\n"
        f"{CSV}loan,CREDIT,Loan,,{CSV}source,5,,,,,,200000000,CNY\n",
        encoding="utf-8",
    )
    relationships = tmp_path / "relationships.csv"
    relationships.write_text(
        "from,type,to,source,paragraph,locator,title,role\n"
        f"{CSV}jane,HOLDS_POSITION,{CSV}alliance,{CSV}source,3,,Director,\n"
        f"{CSV}alliance,ORGANIZED,{CSV}launch,{CSV}source,4,,,co-organizer\n",
        encoding="utf-8",
    )
    args = ("--source-file", source, relationships, entities)  # relationships first: fine
    first = ingest(settings, *args)
    assert first.returncode == 0, first.stderr
    assert summary(first.stdout) == (4, 0, 0, 2, 0, 0, 0)

    rows = query(
        settings,
        "MATCH (n:Entity) WHERE n.id STARTS WITH $p "
        "RETURN n.id AS id, n.kind AS kind, n.aliases AS aliases, n.memberCount AS members, "
        "n.anonymous AS anonymous, n.date AS date, n.attendeeGroups AS groups, "
        "n.amount AS amount, n.currency AS currency, n._prov AS prov ORDER BY id",
        p=CSV,
    )
    by_id = {row.pop("id").removeprefix(CSV): row for row in rows}
    assert by_id["alliance"]["aliases"] == ["IP Alliance", "联盟"]
    assert by_id["alliance"]["members"] == 53
    assert by_id["jane"]["anonymous"] is True
    assert by_id["jane"]["prov"] == [f"{CSV}source||byline"]
    assert str(by_id["launch"]["date"]) == "2013-07-30"
    assert by_id["launch"]["groups"] == ["banks", "firms"]
    assert (by_id["loan"]["amount"], by_id["loan"]["currency"]) == (200000000.0, "CNY")
    rels = query(
        settings,
        "MATCH (a:Entity)-[r]->(b:Entity) WHERE a.id STARTS WITH $p "
        "RETURN type(r) AS type, properties(r) AS props ORDER BY type",
        p=CSV,
    )
    assert [(r["type"], r["props"].get("title"), r["props"].get("role")) for r in rels] == [
        ("HOLDS_POSITION", "Director", None),
        ("ORGANIZED", None, "co-organizer"),
    ]
    [src] = query(
        settings, "MATCH (s:Source {id: $id}) RETURN properties(s) AS s", id=f"{CSV}source"
    )
    assert src["s"]["authors"] == ["A. Writer"]
    assert str(src["s"]["publishedOn"]) == "2024-03-04"

    again = ingest(settings, *args)
    assert again.returncode == 0, again.stderr
    assert summary(again.stdout) == (0, 0, 4, 0, 0, 2, 0)


def test_merged_ids_land_on_the_survivor_and_conflicts_are_refused(settings, tmp_path):
    prefix = f"{PREFIX}merge-"
    source = f"{prefix}source"
    prov = [{"source": source, "paragraph": 1}]
    base = write_jsonl(
        tmp_path / "base.jsonl",
        [
            {"record": "source", "id": source, "title": "Merges"},
            {
                "id": f"{prefix}survivor",
                "kind": "ORGANIZATION",
                "name": "Survivor",
                "provenance": prov,
            },
            {"id": f"{prefix}person", "kind": "PERSON", "name": "P", "provenance": prov},
        ],
    )
    assert ingest(settings, base).returncode == 0
    query(
        settings,
        "MATCH (s:Entity {id: $survivor}) CREATE (:Redirect {id: $old})-[:MERGED_INTO]->(s)",
        survivor=f"{prefix}survivor",
        old=f"{prefix}old",
    )
    later = write_jsonl(
        tmp_path / "later.jsonl",
        [
            {"id": f"{prefix}old", "kind": "ORGANIZATION", "name": "Old Name", "provenance": prov},
            {
                "from": f"{prefix}person",
                "type": "HOLDS_POSITION",
                "to": f"{prefix}old",
                "properties": {"title": "Chair"},
                "provenance": prov,
            },
        ],
    )
    result = ingest(settings, later)
    assert result.returncode == 0, result.stderr
    assert summary(result.stdout) == (0, 1, 0, 1, 0, 0, 0)

    conflict = write_jsonl(
        tmp_path / "conflict.jsonl",
        [
            {"id": f"{prefix}other", "kind": "BANK", "name": "O", "provenance": prov},
            {"id": f"{prefix}person", "kind": "BANK", "name": "P", "provenance": prov},
        ],
    )
    result = ingest(settings, conflict)
    assert result.returncode == 1  # line 2 is refused by the database
    assert summary(result.stdout) == (1, 0, 0, 0, 0, 0, 1)
    assert (
        f"conflict.jsonl line 2: id {prefix}person already belongs to an entity of kind PERSON, "
        "not BANK" in result.stderr
    )
    [survivor] = query(
        settings,
        "MATCH (s:Entity {id: $id}) RETURN s.name AS name, s.aliases AS aliases, "
        "COLLECT { MATCH (s)<-[r:HOLDS_POSITION]-(p) RETURN p.id + ':' + r.title } AS holders",
        id=f"{prefix}survivor",
    )
    assert survivor == {
        "name": "Survivor",
        "aliases": ["Old Name"],
        "holders": [f"{prefix}person:Chair"],
    }
    assert query(settings, "MATCH (n:Entity {id: $id}) RETURN n", id=f"{prefix}old") == []


# --- what is written is what was checked ------------------------------------------------


class EditsTheFileBeforeWriting(Silent):
    """The point between checking and writing (`writing` is called there): the file is
    changed then, as another process could, to rows that would never pass the check."""

    def __init__(self, path: Path, lines: list) -> None:
        self.path, self.lines, self.edited = path, lines, False

    def writing(self, total: int) -> None:
        write_jsonl(self.path, self.lines)
        self.edited = True


def test_a_file_changed_between_check_and_write_writes_what_was_checked(settings, tmp_path):
    prefix = f"{PREFIX}toctou-"
    source = f"{prefix}source"
    prov = [{"source": source, "paragraph": 1}]
    checked = [
        {"record": "source", "id": source, "title": "Checked"},
        {"id": f"{prefix}a", "kind": "ORGANIZATION", "name": "Checked A", "provenance": prov},
        {"id": f"{prefix}b", "kind": "ORGANIZATION", "name": "Checked B", "provenance": prov},
    ]
    path = write_jsonl(tmp_path / "changing.jsonl", checked)
    unchecked = [
        checked[0],
        {
            "id": f"{prefix}a",
            "kind": "ORGANIZATION",
            "name": "Swapped A",
            "properties": {"_changes": ["forged"], "kind": "BANK"},
            "provenance": prov,
        },
        {"id": f"{prefix}c", "kind": "ORGANIZATION", "name": "Never checked", "provenance": prov},
        {"from": f"{prefix}a", "type": "MEMBER_OF", "to": f"{prefix}c", "provenance": prov},
    ]
    hook = EditsTheFileBeforeWriting(path, unchecked)

    async def run() -> IngestReport:
        db = Database(settings)
        origin = file_input(path)  # as `graph.cli ingest` reads its files
        try:
            return await ingest_files(db, [origin], by="test:toctou", via="ingest", progress=hook)
        finally:
            origin.close()
            await db.close()

    report = asyncio.run(run())
    assert hook.edited
    assert (report.entities_created, report.relationships_written) == (2, 0)
    rows = query(
        settings,
        "MATCH (n:Entity) WHERE n.id STARTS WITH $p "
        "RETURN n.id AS id, n.name AS name, n.kind AS kind, "
        "  [c IN n._changes WHERE NOT EXISTS { MATCH (:Change {id: c}) }] AS forged "
        "ORDER BY id",
        p=prefix,
    )
    assert rows == [
        {"id": f"{prefix}a", "name": "Checked A", "kind": "ORGANIZATION", "forged": []},
        {"id": f"{prefix}b", "name": "Checked B", "kind": "ORGANIZATION", "forged": []},
    ]
    # The file as it is now is checked like any other when given again.
    again = ingest(settings, path)
    assert again.returncode == 1
    assert "is kept by the service" in again.stderr


def test_rows_setting_what_the_service_keeps_are_refused(settings, tmp_path):
    prefix = f"{PREFIX}kept-"
    source = f"{prefix}source"
    prov = [{"source": source, "paragraph": 1}]

    def org(name: str, **props: Any) -> dict:
        entity_id = f"{prefix}{name}"
        return {
            "id": entity_id,
            "kind": "ORGANIZATION",
            "name": name,
            "properties": props,
            "provenance": prov,
        }

    lines = [
        {"record": "source", "id": source, "title": "Kept"},
        org("fine", orgType="company"),
        org("changes", _changes=["forged-change"]),
        org("id", id=f"{prefix}elsewhere"),
        org("kind", kind="BANK"),
        org("anything", _anything=1),
        org("prov", _prov=["forged|1|"]),
        {
            "from": f"{prefix}fine",
            "type": "MEMBER_OF",
            "to": f"{prefix}fine",
            "properties": {"_changes": ["forged-change"]},
            "provenance": prov,
        },
    ]
    path = write_jsonl(tmp_path / "kept.jsonl", lines)
    result = ingest(settings, path)
    assert result.returncode == 1
    assert "Nothing was written" in result.stderr
    for line, key in [
        (3, "_changes"),
        (4, "id"),
        (5, "kind"),
        (6, "_anything"),
        (7, "_prov"),
        (8, "_changes"),
    ]:
        assert f"kept.jsonl line {line}: property {key!r} is kept by the service" in (
            result.stderr
        ), result.stderr
    assert counts(settings, prefix)["entities"] == 0

    result = ingest(settings, path, "--skip-invalid")
    assert result.returncode == 1
    assert summary(result.stdout)[:3] == (1, 0, 0)
    [row] = query(
        settings,
        "MATCH (n:Entity) WHERE n.id STARTS WITH $p RETURN n.id AS id, n.kind AS kind, "
        "  [c IN n._changes WHERE NOT EXISTS { MATCH (:Change {id: c}) }] AS forged",
        p=prefix,
    )
    assert row == {"id": f"{prefix}fine", "kind": "ORGANIZATION", "forged": []}


# --- usage, and a database that is not there -----------------------------------------


def test_usage_errors_exit_2(settings, tmp_path):
    assert ingest(settings, tmp_path / "missing.jsonl").returncode == 2
    other = tmp_path / "facts.xml"
    other.write_text("<facts/>", encoding="utf-8")
    result = ingest(settings, other)
    assert (result.returncode, "not a .jsonl, .ndjson or .csv file" in result.stderr) == (2, True)
    empty = write_jsonl(tmp_path / "empty.jsonl", [])
    assert ingest(settings, empty, "--batch-size", "0").returncode == 2


def test_an_unreachable_neo4j_is_said_plainly(settings, tmp_path):
    path = write_jsonl(tmp_path / "one.jsonl", [])
    env = {**cli_env(settings), "NEO4J_URI": f"bolt://127.0.0.1:{free_port()}"}
    result = ingest(settings, path, env=env)
    assert result.returncode == 3
    assert "is not answering" in result.stderr


# --- interrupted ----------------------------------------------------------------------


def test_a_killed_ingest_completes_when_run_again(settings, tmp_path):
    prefix = f"{PREFIX}kill-"
    lines = generated(prefix, orgs=300, people=300, links=3000)
    path = write_jsonl(tmp_path / "kill.jsonl", lines)
    total = 600 + 3000
    process = subprocess.Popen(
        [sys.executable, "-m", "graph.cli", "ingest", str(path), "--batch-size", "40"],
        cwd=ROOT,
        env=cli_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        written = 0
        while time.monotonic() < deadline and process.poll() is None:
            now = counts(settings, prefix)
            written = now["entities"] + now["relationships"]
            if written > 0:
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL, "it finished before it could be killed"
    before = counts(settings, prefix)
    done = before["entities"] + before["relationships"]
    assert 0 < done < total
    assert before["changes"] == done  # nothing half-written: a Change for every fact

    result = ingest(settings, path)
    assert result.returncode == 0, result.stderr
    ents_created, _, ents_unchanged, rels_created, _, rels_unchanged, _ = summary(result.stdout)
    assert ents_created + rels_created == total - done
    assert ents_unchanged + rels_unchanged == done
    assert counts(settings, prefix) == {
        "entities": 600,
        "relationships": 3000,
        "changes": total,
        "sources": 1,
    }


# --- history ---------------------------------------------------------------------------

HISTORY = """query ($id: ID!) { history(id: $id, first: 20) {
  id action by via target subject object type note } }"""


@pytest.fixture(scope="module")
def editor_history(settings: Settings, http) -> Iterator[Any]:
    """`history` as an editor sees it (who and notes are shown to editors and admins)."""

    async def make() -> str:
        db = Database(settings)
        try:
            return (await create_key(db, f"{PREFIX}editor", "editor")).token
        finally:
            await db.close()

    token = asyncio.run(make())

    def history(variables: dict[str, Any]) -> dict[str, Any]:
        response = http.post(
            "/graphql",
            json={"query": HISTORY, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        body = response.json()
        assert not body.get("errors"), body
        return body["data"]

    yield history
    query(settings, "MATCH (k:ApiKey {name: $name}) DELETE k", name=f"{PREFIX}editor")


def test_history_shows_what_bulk_ingestion_wrote(settings, editor_history, gql, tmp_path):
    """One Change per batch, group and action; history shows it against each fact."""
    prefix = f"{PREFIX}hist-"
    source = f"{prefix}source"
    prov = [{"source": source, "paragraph": 1}]
    lines = [
        {"record": "source", "id": source, "title": "History"},
        {"id": f"{prefix}a", "kind": "ORGANIZATION", "name": "A", "provenance": prov},
        {"id": f"{prefix}b", "kind": "ORGANIZATION", "name": "B", "provenance": prov},
        {"from": f"{prefix}a", "type": "MEMBER_OF", "to": f"{prefix}b", "provenance": prov},
    ]
    path = write_jsonl(tmp_path / "history.jsonl", lines)
    assert ingest(settings, path, "--by", "test:hist").returncode == 0

    history = editor_history({"id": f"{prefix}a"})["history"]
    by_target = {h["target"]: h for h in history}
    assert len(history) == 2, history
    assert by_target["entity"]["action"] == "create"
    assert by_target["entity"]["subject"] == f"{prefix}a"
    assert by_target["entity"]["object"] is None
    assert by_target["entity"]["type"] == "ORGANIZATION"
    assert by_target["relationship"]["subject"] == f"{prefix}a"
    assert by_target["relationship"]["object"] == f"{prefix}b"
    assert by_target["relationship"]["type"] == "MEMBER_OF"
    for h in history:
        assert (h["by"], h["via"]) == ("test:hist", "ingest")
        assert "history.jsonl" in h["note"]
    # Anonymous readers see what changed, not who changed it or the batch's note.
    anonymous = gql(HISTORY, {"id": f"{prefix}a"})["history"]
    assert [(h["action"], h["by"], h["note"]) for h in anonymous] == [
        (h["action"], None, None) for h in history
    ]
    # Both ends of the relationship see it.
    assert any(
        h["target"] == "relationship" for h in editor_history({"id": f"{prefix}b"})["history"]
    )

    # The same file again changes nothing and records nothing; an altered row is an update.
    assert ingest(settings, path, "--by", "test:hist").returncode == 0
    assert len(editor_history({"id": f"{prefix}a"})["history"]) == 2
    lines[1] = {**lines[1], "aliases": ["A Holdings"]}
    assert ingest(settings, write_jsonl(path, lines), "--by", "test:hist").returncode == 0
    history = editor_history({"id": f"{prefix}a"})["history"]
    assert [h["action"] for h in history if h["target"] == "entity"] == ["update", "create"]
    # An unknown id has no history.
    assert editor_history({"id": f"{prefix}nobody"})["history"] == []
