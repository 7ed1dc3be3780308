"""A document of facts (the seed's format: a source, its entities and relationships)
written through the same path as files: the same checks, the same batched upserts."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from graph.bulk.ingestion import ingest
from graph.bulk.records import ENTITY, RELATIONSHIP, SOURCE, Input, Record
from graph.bulk.report import IngestReport
from graph.bulk.writer import Guard
from graph.db import Database
from graph.facts import InvalidFacts

BATCH_SIZE = 1000


def document_input(doc: dict[str, Any], name: str = "document") -> Input:
    """The document as records; problems name them as `entities[3] (id)`. Provenance
    entries without a source are the document's own source's. Read from a copy made now,
    so checking and writing see the same records even if the caller changes `doc`."""
    doc = copy.deepcopy(doc)
    source = doc.get("source") or {}

    def read() -> Iterator[Record]:
        yield Record(SOURCE, source, 1, "source")
        position = 1
        for i, ent in enumerate(doc.get("entities", [])):
            position += 1
            yield Record(ENTITY, ent, position, f"entities[{i}] ({ent.get('id')})")
        for i, rel in enumerate(doc.get("relationships", [])):
            position += 1
            label = f"relationships[{i}] ({rel.get('from')} -{rel.get('type')}-> {rel.get('to')})"
            yield Record(RELATIONSHIP, rel, position, label)

    return Input(name, read, default_source=source.get("id"))


async def write_document(
    db: Database,
    doc: dict[str, Any],
    by: str = "system",
    via: str = "ingest",
    guard: Guard | None = None,
) -> IngestReport:
    """Writes the whole document, or nothing: raises InvalidFacts with every problem.
    `guard`: see graph.bulk.writer."""
    report = await ingest(
        db, [document_input(doc)], by=by, via=via, batch_size=BATCH_SIZE, guard=guard
    )
    if report.invalid:
        raise InvalidFacts([str(p) for p in report.invalid])
    return report
