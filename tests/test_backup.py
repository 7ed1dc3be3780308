"""Backup and restore, end to end: write to the graph through the API (upserts, a merge,
a delete) and a bulk ingest, back it up with `graph.cli backup` while the service runs,
restore it with `graph.cli restore` into a second, empty Neo4j, and compare the two
graphs node by node and relationship by relationship, history included, by a canonical
dump that does not depend on internal ids.

The second Neo4j is started here (LocalNeo4j, its own port and store), like the suite's:
RESTORE_NEO4J_TEST_PORT picks its port (default: a free one).
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph import backup
from graph.auth.keys import create_key
from graph.db import Database
from graph.local_neo4j import LocalNeo4j
from graph.settings import ROOT, Settings
from tests.commands import cli_env, ingest
from tests.conftest import free_port, make_test_settings, wipe_and_seed

UPSERT = """mutation($e: EntityInput!, $p: ProvenanceInput!) {
  upsertEntity(entity: $e, provenance: $p) { __typename } }"""
RELATE = """mutation($r: RelationshipInput!, $p: ProvenanceInput!) {
  upsertRelationship(relationship: $r, provenance: $p) { __typename } }"""
MERGE = """mutation { mergeEntities(survivorId: "bk-firm-a", mergedId: "bk-firm-b",
  reason: "same firm") { __typename } }"""
DELETE = """mutation { deleteEntity(id: "bk-doomed", reason: "test") { __typename } }"""
SOURCE = {"id": "bk-source", "title": "A backup test source", "publishedOn": "2020-02-29"}

# Values of every type Neo4j stores, on a node of an allowed label.
TYPED = (
    "CREATE (:Change {id: 'bk-typed', "
    "at: datetime('2020-01-02T03:04:05.123456789[Europe/Berlin]'), "
    "utc: datetime('2021-06-01T00:00:00Z'), offset: datetime('2021-06-01T00:00:00.5-05:30'), "
    "day: date('2013-08-02'), days: [date('2013-08-02'), date('2014-01-01')], "
    "local: localdatetime('2020-01-01T00:00:00.000000009'), clock: time('10:00:00.5+02:00'), "
    "wall: localtime('10:11:12.000000001'), span: duration('P1Y2M3DT4H5M6.7S'), "
    "flat: point({x: 1.5, y: 2.0}), globe: point({latitude: 1.0, longitude: 2.0, height: 3.0}), "
    "whole: 1, real: 1.0, reals: [1.0, 2.5], wholes: [1, 2], big: 9007199254740993, "
    "flag: false, none: [], text: 'Zhongguancun 中关村 \"quoted\"\\nline'})"
)


def _gql(http, query: str, variables: dict | None = None, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    data = body.json()
    assert "errors" not in data, data
    return data["data"]


def _run(settings: Settings, *args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "graph.cli", *map(str, args)],
        cwd=ROOT,
        env=cli_env(settings),
        capture_output=True,
        text=True,
        timeout=600,
    )


def _value(value: Any) -> Any:
    """A stored value as comparable text, with its type: independent of the backup's
    own encoding (the driver's types and reprs, nanoseconds and zones included)."""
    if isinstance(value, list):
        return [_value(v) for v in value]
    return f"{type(value).__name__}:{value!r}"


def _graph_version(dump: tuple[list[str], list[str]]) -> dict:
    """Takes the GraphVersion node out of `dump` (in place) and returns its properties."""
    [line] = [x for x in dump[0] if x.startswith('[["GraphVersion"]')]
    dump[0].remove(line)
    return json.loads(line)[1]


async def _dump(settings: Settings) -> tuple[list[str], list[str]]:
    """Every node (labels, properties) and every relationship (type, its ends' canonical
    forms, properties), as sorted JSON strings."""
    db = Database(settings)
    nodes: dict[int, str] = {}
    try:
        async with db.read_transaction(120) as tx:
            async for row in tx.rows(
                ("MATCH (n) RETURN id(n) AS i, labels(n) AS l, properties(n) AS p", {})
            ):
                props = {k: _value(v) for k, v in sorted(row["p"].items())}
                nodes[row["i"]] = json.dumps([sorted(row["l"]), props], ensure_ascii=False)
            rels = [
                json.dumps(
                    [
                        row["t"],
                        nodes[row["s"]],
                        nodes[row["e"]],
                        {k: _value(v) for k, v in sorted(row["p"].items())},
                    ],
                    ensure_ascii=False,
                )
                async for row in tx.rows(
                    (
                        "MATCH (a)-[r]->(b) RETURN type(r) AS t, id(a) AS s, id(b) AS e, "
                        "properties(r) AS p",
                        {},
                    )
                )
            ]
    finally:
        await db.close()
    return sorted(nodes.values()), sorted(rels)


@pytest.fixture(scope="module")
def second(settings, tmp_path_factory) -> Iterator[Settings]:
    """An empty Neo4j of its own, stopped at the end."""
    if not settings.uses_local_neo4j:
        pytest.skip("restoring needs a second, empty Neo4j: this run uses NEO4J_URI")
    port = int(os.environ.get("RESTORE_NEO4J_TEST_PORT") or free_port())
    other = make_test_settings(
        local_bolt_port=port,
        data_dir=tmp_path_factory.mktemp("restore-neo4j"),
        neo4j_heap="512m",
        neo4j_pagecache="256m",
    )
    local = LocalNeo4j(other)
    local.start()
    try:
        yield other
    finally:
        local.stop()


@pytest.fixture(scope="module")
def written(settings, http, tmp_path_factory) -> Iterator[None]:
    """The seed graph, then writes of every kind; the seed graph again at the end."""

    async def keys():
        db = Database(settings)
        try:
            return (await create_key(db, "bk-admin", "admin")).token
        finally:
            await db.close()

    admin = asyncio.run(keys())
    for entity_id, name in [("bk-firm-a", "Backup Firm"), ("bk-firm-b", "Backup Firm Ltd")]:
        entity = {"id": entity_id, "kind": "ORGANIZATION", "name": name}
        entity["properties"] = {"orgType": "company", "memberCount": 12}
        assert _gql(http, UPSERT, {"e": entity, "p": {"source": SOURCE, "paragraph": 1}}, admin)
    doomed = {"id": "bk-doomed", "kind": "ORGANIZATION", "name": "Doomed"}
    _gql(http, UPSERT, {"e": doomed, "p": {"source": SOURCE, "paragraph": 2}}, admin)
    for frm in ("bk-firm-b", "bk-doomed"):
        rel = {"from": frm, "type": "LOCATED_IN", "to": "beijing"}
        _gql(http, RELATE, {"r": rel, "p": {"source": SOURCE, "paragraph": 3}}, admin)
    assert _gql(http, MERGE, token=admin)["mergeEntities"]["__typename"] == "EntityWritten"
    assert _gql(http, DELETE, token=admin)["deleteEntity"]["__typename"] == "Deleted"
    facts = tmp_path_factory.mktemp("bk-ingest") / "facts.jsonl"
    lines: list[dict] = [{"record": "source", "id": "bk-bulk-source", "title": "Bulk"}]
    for i in range(30):
        prov = [{"source": "bk-bulk-source", "paragraph": i + 1}]
        lines.append({"id": f"bk-bulk-{i}", "kind": "PERSON", "name": f"Bulk {i}"})
        lines[-1]["provenance"] = prov
        rel = {"from": f"bk-bulk-{i}", "type": "HOLDS_POSITION", "to": "bk-firm-a"}
        lines.append({**rel, "properties": {"title": "Member"}, "provenance": prov})
    facts.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    done = ingest(settings, facts)
    assert done.returncode == 0, done.stderr
    asyncio.run(_write(settings, TYPED))
    yield
    asyncio.run(wipe_and_seed(settings))


async def _write(settings: Settings, statement: str) -> None:
    db = Database(settings)
    try:
        await db.write((statement, {}))
    finally:
        await db.close()


def test_backup_then_restore_gives_the_same_graph(settings, second, written, tmp_path):
    path = tmp_path / "graph.jsonl.gz"
    made = _run(settings, "backup", path)
    assert made.returncode == 0, made.stderr
    assert "backup: nodes" in made.stderr  # progress
    assert "Backed up" in made.stderr
    before = asyncio.run(_dump(settings))

    with gzip.open(path, "rb") as stream:
        header = json.loads(stream.readline())
        body = stream.read()
    assert header["format"] == backup.FORMAT
    assert header["version"] == backup.VERSION
    assert header["nodes"] == len(before[0])
    assert header["relationships"] == len(before[1])
    assert header["sha256"] == hashlib.sha256(body).hexdigest()
    assert {"Entity", "Change", "Redirect", "ApiKey", "Source", "SeedLoad"} <= set(header["labels"])
    assert "MERGED_INTO" in header["types"]

    restored = _run(second, "restore", path)
    assert restored.returncode == 0, restored.stderr
    assert "Restored" in restored.stderr
    after = asyncio.run(_dump(second))
    assert len(after[0]) == len(before[0])
    # The graph version is the one node a restore changes, by design: a new epoch (and
    # the count advanced), so no cache takes the restored store for the old one.
    old_version, new_version = _graph_version(before), _graph_version(after)
    assert new_version["epoch"] != old_version["epoch"]
    assert int(new_version["version"].split(":")[1]) >= int(old_version["version"].split(":")[1])
    assert after[0] == before[0]
    assert after[1] == before[1]

    # The restored store has the service's constraints and indexes, and no trace of the
    # restore's own.
    async def schema() -> set[str]:
        db = Database(second)
        try:
            rows = await db.read(("SHOW INDEXES YIELD name RETURN collect(name) AS names", {}))
            return set(rows[0]["names"])
        finally:
            await db.close()

    names = asyncio.run(schema())
    assert {"entity_id", "source_id", "redirect_id", "change_id_index"} <= names
    assert "restore_key" not in names

    # A second restore into what is now a non-empty store is refused, whole.
    again = _run(second, "restore", path)
    assert again.returncode != 0
    assert "only into an empty database" in again.stderr
    unchanged = asyncio.run(_dump(second))
    assert _graph_version(unchanged) == new_version
    assert unchanged == after


def _rewrite(source: Path, target: Path, change, fix_checksum: bool = True) -> None:
    with gzip.open(source, "rb") as stream:
        header = json.loads(stream.readline())
        lines = [change(json.loads(line)) for line in stream]
    body = b"".join(
        (json.dumps(x, ensure_ascii=False, separators=(",", ":")) + "\n").encode() for x in lines
    )
    if fix_checksum:
        header["sha256"] = hashlib.sha256(body).hexdigest()
    with gzip.open(target, "wb") as out:
        out.write((json.dumps(header) + "\n").encode() + body)


def test_restore_refuses_files_it_should_not_trust(settings, second, written, tmp_path):
    path = tmp_path / "graph.jsonl.gz"
    assert _run(settings, "backup", path).returncode == 0

    def intruder(row: dict) -> dict:
        if row.get("l") == ["Entity", "Place"]:
            return {**row, "l": ["Entity", "Intruder"]}
        return row

    def strange_type(row: dict) -> dict:
        return {**row, "t": "OWNS`]->() DETACH DELETE n //"} if row.get("t") == "OWNS" else row

    def edited(row: dict) -> dict:
        return {**row, "p": {**row["p"], "name": "edited"}} if row.get("n") == 0 else row

    cases = [
        (intruder, True, "labels ['Intruder'] are not declared"),
        (strange_type, True, "relationship types ['OWNS`]->() DETACH DELETE n //']"),
        (edited, False, "checksum does not match"),
    ]

    async def attempt(bad: Path) -> str:
        db = Database(second)
        try:
            with pytest.raises(backup.BackupError) as refused:
                await backup.restore(db, bad, say=lambda _: None)
            return str(refused.value)
        finally:
            await db.close()

    for number, (change, fix, expected) in enumerate(cases):
        bad = tmp_path / f"bad-{number}.jsonl.gz"
        _rewrite(path, bad, change, fix)
        assert expected in asyncio.run(attempt(bad))
    not_a_backup = tmp_path / "plain.txt"
    not_a_backup.write_text("hello\n")
    assert "not a backup" in asyncio.run(attempt(not_a_backup))


def test_values_keep_their_types_through_the_file_format():
    """Every value the driver gives, through `portable`, JSON and back (no database)."""
    import math

    import orjson
    from neo4j import spatial, time

    from graph.db import from_portable, portable

    berlin = time.DateTime(2020, 1, 2, 3, 4, 5, 123456789).replace(tzinfo=None)
    values = [
        1,
        1.0,
        -0.0,
        2**62,
        float("inf"),
        float("-inf"),
        [1.0, 2.5],
        [1, 2],
        [],
        "中关村",
        True,
        time.Date(2013, 8, 2),
        [time.Date(2013, 8, 2)],
        berlin,
        time.Time(10, 11, 12, 1),
        time.Duration(months=14, days=3, seconds=14706, nanoseconds=700000000),
        spatial.CartesianPoint((1.5, 2.0)),
        spatial.WGS84Point((2.0, 1.0, 3.0)),
        bytearray(b"\x00\xff"),
    ]
    for value in values:
        back = from_portable(orjson.loads(orjson.dumps(portable(value))))
        assert back == value
        assert type(back) is type(value)
    nan = from_portable(orjson.loads(orjson.dumps(portable(float("nan")))))
    assert math.isnan(nan)
