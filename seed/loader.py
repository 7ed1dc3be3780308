"""Loads the seed facts (seed/*.json) into Neo4j through the same path as bulk files
(graph.bulk): constraints and indexes first, every fact checked, then MERGEs in batches.
Loading twice changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from graph.bulk.document import write_document
from graph.bulk.report import IngestReport
from graph.db import Database

SEED_DIR = Path(__file__).resolve().parent


def seed_files() -> list[Path]:
    return sorted(SEED_DIR.glob("*.json"))


async def load_seed(db: Database) -> list[IngestReport]:
    reports = []
    for path in seed_files():
        doc = json.loads(path.read_text(encoding="utf-8"))
        reports.append(await write_document(db, doc, by="seed", via="seed"))
    return reports
