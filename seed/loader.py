"""Loads the seed facts (seed/*.json) into Neo4j: constraints and indexes first, then
MERGEs in batches. Loading twice changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from graph.db import Database
from graph.ingest import IngestReport, ensure_schema, ingest_document

SEED_DIR = Path(__file__).resolve().parent


def seed_files() -> list[Path]:
    return sorted(SEED_DIR.glob("*.json"))


async def load_seed(db: Database) -> list[IngestReport]:
    await ensure_schema(db)
    reports = []
    for path in seed_files():
        doc = json.loads(path.read_text(encoding="utf-8"))
        reports.append(await ingest_document(db, doc, by="seed", via="seed"))
    return reports
