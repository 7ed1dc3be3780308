"""Writing a document of facts: schema first, then batched upserts, one transaction each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from graph.cypher import setup, writes
from graph.db import Database
from graph.facts import InvalidFacts, check_document, to_rows

BATCH = 1000


@dataclass
class IngestReport:
    entities_written: int = 0
    entities_created: int = 0
    entities_updated: int = 0
    relationships_written: int = 0
    relationships_created: int = 0
    relationships_updated: int = 0
    rejected: list[dict] = field(default_factory=list)

    def add(self, target: str, result: dict) -> None:
        setattr(self, f"{target}_written", getattr(self, f"{target}_written") + result["written"])
        setattr(self, f"{target}_created", getattr(self, f"{target}_created") + result["created"])
        setattr(self, f"{target}_updated", getattr(self, f"{target}_updated") + result["updated"])
        self.rejected += result["rejected"]


def change_record(by: str, via: str) -> dict:
    """Who writes, how, and when (UTC), as recorded on each Change node."""
    return {"by": by, "via": via, "at": dt.datetime.now(dt.UTC)}


async def ensure_schema(db: Database) -> None:
    for statement in setup.schema_statements():
        await db.write((statement, {}))
    await db.write((setup.AWAIT_INDEXES, {}))


async def ingest_document(
    db: Database, doc: dict[str, Any], by: str = "system", via: str = "ingest"
) -> IngestReport:
    problems = check_document(doc)
    if problems:
        raise InvalidFacts(problems)
    source, entities, rels = to_rows(doc)
    report = IngestReport()
    change = change_record(by, via)
    await db.write(writes.upsert_source(source))
    for kind, rows in entities.items():
        for i in range(0, len(rows), BATCH):
            [res] = await db.write(writes.upsert_entities(kind, rows[i : i + BATCH], change))
            report.add("entities", res)
    for rel_type, rows in rels.items():
        for i in range(0, len(rows), BATCH):
            cypher = writes.upsert_relationships(rel_type, rows[i : i + BATCH], change)
            [res] = await db.write(cypher)
            report.add("relationships", res)
    return report
