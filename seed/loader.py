"""Loads the seed facts (seed/*.json) into Neo4j through the same path as bulk files
(graph.bulk): constraints and indexes first, every fact checked, then MERGEs in batches.

A seed file is loaded once, and again only when the file itself changed: its SHA-256 is
kept on a `(:SeedLoad {file})` node, and a start with the same file reads that one node
and writes nothing. A changed file is written guarded (graph.bulk.writer.Guard): new
facts and properties are added, and a property is rewritten only while its value still
comes from the seed, never over what an editor or another source set since.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from graph.bulk.document import write_document
from graph.bulk.ingestion import ensure_schema
from graph.bulk.report import IngestReport
from graph.bulk.writer import Guard
from graph.cypher import setup
from graph.db import Database

SEED_DIR = Path(__file__).resolve().parent
BY = VIA = "seed"


@dataclass
class SeedLoad:
    """What one seed file's load did: `skipped` when the file was loaded before,
    unchanged (then nothing was written and `report` is all zeros)."""

    path: Path
    sha256: str
    skipped: bool
    report: IngestReport = field(default_factory=IngestReport)
    schema_updated: bool = False  # constraints and indexes were (re)made


def seed_files() -> list[Path]:
    return sorted(SEED_DIR.glob("*.json"))


async def load_seed_file(db: Database, path: Path, name: str | None = None) -> SeedLoad:
    """Loads `path` unless the graph holds its fingerprint already. `name` (default the
    file name) is the key the fingerprint is kept under: a test can load a changed copy
    as the seed itself."""
    name = name or path.name
    data = path.read_bytes()  # noqa: ASYNC240 (a few kB, once at start)
    sha = hashlib.sha256(data).hexdigest()
    schema = setup.schema_fingerprint()
    rows = await db.read(setup.seed_state(name))
    if rows and rows[0]["sha256"] == sha:
        if rows[0]["schema"] == schema:
            return SeedLoad(path, sha, skipped=True)
        # A new release with new indexes and the same seed: only the schema is made.
        await ensure_schema(db)
        await db.write(setup.record_seed(name, sha, schema, dt.datetime.now(dt.UTC)))
        return SeedLoad(path, sha, skipped=True, schema_updated=True)
    doc = json.loads(data.decode("utf-8"))
    guard = Guard(source=doc["source"]["id"], via=VIA)
    report = await write_document(db, doc, by=BY, via=VIA, guard=guard)
    await db.write(setup.record_seed(name, sha, schema, dt.datetime.now(dt.UTC)))
    return SeedLoad(path, sha, skipped=False, report=report, schema_updated=True)


async def load_seed(db: Database) -> list[SeedLoad]:
    return [await load_seed_file(db, path) for path in seed_files()]
