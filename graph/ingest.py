"""Writing a document of facts: schema first, then batched upserts, one transaction each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.cypher import setup, writes
from graph.db import Database
from graph.facts import InvalidFacts, check_document, to_rows

BATCH = 1000


@dataclass
class IngestReport:
    entities_written: int = 0
    entities_created: int = 0
    relationships_written: int = 0
    relationships_created: int = 0


async def ensure_schema(db: Database) -> None:
    for statement in setup.schema_statements():
        await db.write((statement, {}))
    await db.write((setup.AWAIT_INDEXES, {}))


async def ingest_document(db: Database, doc: dict[str, Any]) -> IngestReport:
    problems = check_document(doc)
    if problems:
        raise InvalidFacts(problems)
    source, entities, rels = to_rows(doc)
    report = IngestReport()
    await db.write(writes.upsert_source(source))
    for kind, rows in entities.items():
        for i in range(0, len(rows), BATCH):
            [res] = await db.write(writes.upsert_entities(kind, rows[i : i + BATCH]))
            report.entities_written += res["written"]
            report.entities_created += res["created"]
    for rel_type, rows in rels.items():
        for i in range(0, len(rows), BATCH):
            [res] = await db.write(writes.upsert_relationships(rel_type, rows[i : i + BATCH]))
            report.relationships_written += res["written"]
            report.relationships_created += res["created"]
    return report
