"""What every write path shares: the report of a write, the change record, the schema.

Documents (the seed) and files both go through graph.bulk: checked whole, then written
in batches, one transaction each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from graph.cypher import setup
from graph.db import Database


@dataclass
class IngestReport:
    """Counts are of rows written: a row is created, updated (it added or changed
    something), unchanged, or rejected by the database (`rejected` says why)."""

    entities_written: int = 0
    entities_created: int = 0
    entities_updated: int = 0
    entities_rejected: int = 0
    relationships_written: int = 0
    relationships_created: int = 0
    relationships_updated: int = 0
    relationships_rejected: int = 0
    sources_written: int = 0
    rejected: list[dict] = field(default_factory=list)
    # Rows refused before writing (graph.bulk.records.Problem, one or more per row).
    invalid: list[Any] = field(default_factory=list)
    invalid_rows: int = 0
    check_seconds: float = 0.0  # reading and checking, before the first write
    seconds: float = 0.0  # the whole run

    def add(self, target: str, result: dict) -> None:
        for count in ("written", "created", "updated"):
            name = f"{target}_{count}"
            setattr(self, name, getattr(self, name) + result[count])
        name = f"{target}_rejected"
        setattr(self, name, getattr(self, name) + len(result["rejected"]))
        self.rejected += result["rejected"]

    @property
    def entities_unchanged(self) -> int:
        return (
            self.entities_written
            - self.entities_created
            - self.entities_updated
            - self.entities_rejected
        )

    @property
    def relationships_unchanged(self) -> int:
        return (
            self.relationships_written
            - self.relationships_created
            - self.relationships_updated
            - self.relationships_rejected
        )

    @property
    def rows_written(self) -> int:
        return self.entities_written + self.relationships_written


def change_record(by: str, via: str) -> dict:
    """Who writes, how, and when (UTC), as recorded on each Change node."""
    return {"by": by, "via": via, "at": dt.datetime.now(dt.UTC)}


async def ensure_schema(db: Database) -> None:
    for statement in setup.schema_statements():
        await db.write((statement, {}))
    await db.write((setup.AWAIT_INDEXES, {}))
    # Batches, each its own transaction, so a large old store stays within the query
    # timeout and transaction memory.
    while True:
        [row] = await db.write((setup.BACKFILL_SORT_NAME, {"batch": setup.BACKFILL_BATCH}))
        if row["filled"] < setup.BACKFILL_BATCH:
            break


async def ingest_document(
    db: Database, doc: dict[str, Any], by: str = "system", via: str = "ingest"
) -> IngestReport:
    """One document (the seed's format); raises graph.facts.InvalidFacts, writing nothing,
    when any of it breaks the domain."""
    # Imported here: graph.bulk builds on this module.
    from graph.bulk.document import write_document

    return await write_document(db, doc, by=by, via=via)
