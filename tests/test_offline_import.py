"""The offline importer (graph/bulk/offline.py) builds the graph the online path builds.

The same input, the benchmark's generated 10^4-entity file (about 10^5 relationships)
plus a small file of repeated facts, empty lists, money and several sources, is loaded
into an empty store of the test's own through `graph.cli ingest` twice: once with
`--method online` (transactions), once with the default, which chooses the import tool
for an empty store and says so; and a third time online with the fast path for new facts
off (graph/bulk/writer.py: every row through the Cypher upserts), which the fast path's
Python fold must match. The graphs are read whole and compared: every node and
relationship with every property (provenance, claims, sort keys, blocking keys, who set
what), the sources, the conflicts, the change records each fact names, and the
constraints and indexes (full-text included, and answering).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from bench import generate
from graph.bulk.command import default_by, file_input
from graph.bulk.ingestion import ingest as ingest_inputs
from graph.db import Database
from graph.settings import ROOT
from tests.commands import cli_env, query
from tests.scratch import scratch_neo4j

pytestmark = pytest.mark.neo4j

ENTITIES = 10_000
SOURCE = "offl-extra-source"


def extra_lines() -> list[dict[str, Any]]:
    """Facts the generated file does not have: repeated ids (aliases and provenance
    adding up), a repeated relationship, an empty list, a second source agreeing."""

    def prov(paragraph: int, source: str = SOURCE) -> list[dict[str, Any]]:
        return [{"source": source, "paragraph": paragraph}]

    org = {
        "record": "entity",
        "id": "offl-org",
        "kind": "ORGANIZATION",
        "name": 'Offline "Quoted", Co.\nLtd',
        "properties": {"nameZh": "离线公司"},
    }
    return [
        {"record": "source", "id": SOURCE, "title": 'Extra, with "quotes"', "publisher": "T"},
        {"record": "source", "id": "offl-second", "title": "Second", "publishedOn": "2024-02-03"},
        {**org, "aliases": ["OQC"], "provenance": prov(1)},
        {**org, "aliases": ["OQC", "Offline Co"], "provenance": prov(2, "offl-second")},
        {
            "record": "entity",
            "id": "offl-event",
            "kind": "EVENT",
            "name": "Offline launch",
            "properties": {"attendeeGroups": [], "date": "2024-05-06"},
            "provenance": prov(3),
        },
        {
            "record": "entity",
            "id": "offl-credit",
            "kind": "CREDIT",
            "name": "Offline credit",
            "properties": {"amount": 1.5e8, "currency": "CNY"},
            "provenance": prov(4) + prov(4, "offl-second"),
        },
        {
            "record": "relationship",
            "from": "offl-org",
            "type": "BORROWED",
            "to": "offl-credit",
            "provenance": prov(4),
        },
        {
            "record": "relationship",
            "from": "offl-org",
            "type": "BORROWED",
            "to": "offl-credit",
            "provenance": prov(5, "offl-second"),
        },
        {
            "record": "relationship",
            "from": "offl-org",
            "type": "ORGANIZED",
            "to": "offl-event",
            "properties": {"role": "host"},
            "provenance": prov(3),
        },
    ]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("offline")
    generated = folder / "graph.jsonl"
    generate.write(generated, ENTITIES, degree=10.0, seed=11)
    extra = folder / "extra.jsonl"
    extra.write_text("".join(json.dumps(x) + "\n" for x in extra_lines()), encoding="utf-8")
    # The small file first: its repeated rows fall in one batch online (rows of two
    # batches written at once land in commit order, which the importer cannot know).
    return [extra, generated]


# ------------------------------------------------------------------ reading a graph whole


def _plain(value: Any) -> Any:
    if hasattr(value, "iso_format"):
        return value.iso_format()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def read_graph(settings) -> dict[str, Any]:
    """Everything, keyed so two stores can be compared; Change records by what they
    say (their ids, times and notes differ: each fact names its changes by action)."""
    changes = {
        r["id"]: r
        for r in query(
            settings,
            "MATCH (c:Change) RETURN c.id AS id, c.action AS action, c.target AS target, "
            "c.type AS type, c.by AS by, c.via AS via, c.count AS count, "
            "c.provenance AS provenance, c.seq IS NOT NULL AS sequenced",
        )
    }

    def named(ids: list[str] | None) -> list[str]:
        return sorted(changes[i]["action"] for i in ids or ())

    nodes = {}
    for row in query(
        settings,
        "MATCH (n) WHERE NOT n:Change AND NOT n:GraphVersion "
        "RETURN labels(n) AS labels, properties(n) AS props",
    ):
        props = {k: _plain(v) for k, v in row["props"].items()}
        if "Conflict" in row["labels"]:
            props.pop("since"), props.pop("updatedAt")
        props["_changes"] = named(props.pop("_changes", None))
        nodes[(tuple(sorted(row["labels"])), props["id"])] = props
    relationships = {}
    for row in query(
        settings,
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS type, b.id AS b, properties(r) AS props",
    ):
        props = {k: _plain(v) for k, v in row["props"].items()}
        props["_changes"] = named(props.pop("_changes", None))
        relationships[(row["a"], row["type"], row["b"])] = props
    made: dict[tuple, Counter] = defaultdict(Counter)
    cited: dict[tuple, set] = defaultdict(set)
    for c in changes.values():
        key = (c["target"], c["type"], c["action"], c["by"], c["via"], c["sequenced"])
        made[key]["count"] += c["count"]
        cited[key] |= set(c["provenance"])
    [version] = query(settings, "MATCH (v:GraphVersion) RETURN v.claims AS claims")
    schema = sorted(
        (r["name"], r["type"], tuple(r["labels"] or ()), tuple(r["props"] or ()), r["state"])
        for r in query(
            settings,
            "SHOW INDEXES YIELD name, type, labelsOrTypes AS labels, properties AS props, "
            "state WHERE type <> 'LOOKUP'",
        )
    )
    constraints = sorted(
        (r["name"], r["type"], tuple(r["labels"]), tuple(r["props"]))
        for r in query(
            settings,
            "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes AS labels, properties AS props",
        )
    )
    return {
        "nodes": nodes,
        "relationships": relationships,
        "changes": {k: (dict(v), sorted(cited[k])) for k, v in made.items()},
        "claims migrated": version["claims"],
        "indexes": schema,
        "constraints": constraints,
    }


def wipe(settings) -> None:
    while query(settings, "MATCH (n) WITH n LIMIT 5000 DETACH DELETE n RETURN count(*) AS gone")[0][
        "gone"
    ]:
        pass


def local_env(settings) -> dict[str, str]:
    """The command pointed at the test's own local Neo4j by its data directory and port
    (not by NEO4J_URI, which names a Neo4j the command does not run)."""
    env = {k: v for k, v in cli_env(settings).items() if not k.startswith("NEO4J_")}
    return env | {
        "DATA_DIR": str(settings.data_dir),
        "LOCAL_NEO4J_PORT": str(settings.local_bolt_port),
    }


def ingest(settings, files: list[Path], *method: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "graph.cli", "ingest", *map(str, files), *method],
        cwd=ROOT,
        env=local_env(settings),
        capture_output=True,
        text=True,
        timeout=900,
    )


def ingest_without_fast_path(settings, files: list[Path]):
    """The online path as `--method online` runs it, every row through the upserts."""

    async def run():
        db = Database(settings)
        inputs = [file_input(path) for path in files]
        try:
            return await ingest_inputs(db, inputs, by=default_by(), via="ingest", fast=False)
        finally:
            await db.close()
            for made in inputs:
                made.close()

    return asyncio.run(run())


def differences(a: dict, b: dict, limit: int = 10) -> list[str]:
    out = []
    for key in sorted(set(a) | set(b), key=repr):
        if a.get(key) != b.get(key):
            x, y = a.get(key) or {}, b.get(key) or {}
            fields = sorted(k for k in set(x) | set(y) if x.get(k) != y.get(k))
            out.append(
                f"{key!r}: "
                + "; ".join(f"{k}: online {x.get(k)!r}, offline {y.get(k)!r}" for k in fields)
            )
            if len(out) >= limit:
                break
    return out


def test_the_importer_builds_the_graph_the_online_path_builds(files):
    with scratch_neo4j("offline", seed=False, query_timeout_s=300.0) as (settings, local):
        wipe(settings)
        online = ingest(settings, files, "--method", "online")
        assert online.returncode == 0, online.stderr[-3000:]
        assert "offline importer" not in online.stderr
        expected = read_graph(settings)

        wipe(settings)
        offline = ingest(settings, files)
        assert offline.returncode == 0, offline.stderr[-3000:]
        assert "The store is empty: loading it with Neo4j's offline importer" in offline.stderr
        # The same summary: created counts, rows, sources.
        assert online.stdout.split("rate:")[0] == offline.stdout.split("rate:")[0]
        got = read_graph(settings)

        assert len(got["nodes"]) == len(expected["nodes"]) > ENTITIES
        assert len(got["relationships"]) == len(expected["relationships"]) > 5 * ENTITIES
        unlike = differences(expected["nodes"], got["nodes"])
        assert not unlike, "\n".join(unlike)
        unlike = differences(expected["relationships"], got["relationships"])
        assert not unlike, "\n".join(unlike)
        assert got["changes"] == expected["changes"]
        assert got["claims migrated"] is expected["claims migrated"] is True
        assert got["constraints"] == expected["constraints"]
        assert got["indexes"] == expected["indexes"]
        assert {state for *_, state in got["indexes"]} == {"ONLINE"}

        # The folded facts: aliases and provenance of both rows, one relationship of two.
        org = got["nodes"][(("Entity", "Organization"), "offl-org")]
        assert org["aliases"] == ["OQC", "Offline Co"]
        assert org["_prov"] == [f"{SOURCE}|1|", "offl-second|2|"]
        assert org["name"] == 'Offline "Quoted", Co.\nLtd'
        borrowed = got["relationships"][("offl-org", "BORROWED", "offl-credit")]
        assert borrowed["_prov"] == [f"{SOURCE}|4|", "offl-second|5|"]
        event = got["nodes"][(("Entity", "Event"), "offl-event")]
        assert event["attendeeGroups"] == []

        # Search answers from the full-text index the same way.
        hits = query(
            settings,
            "CALL db.index.fulltext.queryNodes('entity_search', 'OQC') YIELD node "
            "RETURN collect(node.id) AS ids",
        )
        assert hits[0]["ids"] == ["offl-org"]

        # Every row through the upserts (no fast path for new facts): the same graph.
        wipe(settings)
        report = ingest_without_fast_path(settings, files)
        entities = [key for key in expected["nodes"] if "Entity" in key[0]]
        assert report.entities_created == len(entities) > ENTITIES
        upserted = read_graph(settings)
        unlike = differences(expected["nodes"], upserted["nodes"])
        assert not unlike, "\n".join(unlike)
        unlike = differences(expected["relationships"], upserted["relationships"])
        assert not unlike, "\n".join(unlike)
        assert upserted["changes"] == expected["changes"]

        # A second run into the now non-empty store goes online and changes nothing.
        again = ingest(settings, files)
        assert again.returncode == 0, again.stderr[-3000:]
        assert "offline importer" not in again.stderr
        assert "0 created" in again.stdout
