"""The generated graph (tests/generated.py) written to the test Neo4j for a module's
tests, and removed afterwards; shared by the collection and relationship-field tests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from graph.bulk.document import write_document
from graph.db import Database
from tests.generated import PREFIX, SOURCE_ID, Model, generate

# The root collection of each kind the generated graph holds.
KINDS: dict[str, str | None] = {
    "organizations": "ORGANIZATION",
    "banks": "BANK",
    "people": "PERSON",
    "credits": "CREDIT",
    "agreements": "AGREEMENT",
    "events": "EVENT",
    "entities": None,
}


async def _write(settings, *statements: str, **params: Any) -> None:
    db = Database(settings)
    try:
        for statement in statements:
            await db.write((statement, params))
    finally:
        await db.close()


async def _ingest(settings, doc: dict[str, Any]) -> None:
    db = Database(settings)
    try:
        await write_document(db, doc)
    finally:
        await db.close()


def delete_generated(settings) -> None:
    asyncio.run(
        _write(
            settings,
            "MATCH (n:Entity) WHERE n.id STARTS WITH $prefix DETACH DELETE n",
            "MATCH (s:Source {id: $source}) DETACH DELETE s",
            prefix=PREFIX,
            source=SOURCE_ID,
        )
    )


def delete_entities(settings, ids: list[str]) -> None:
    asyncio.run(_write(settings, "MATCH (n:Entity) WHERE n.id IN $ids DETACH DELETE n", ids=ids))


def ingest(settings, doc: dict[str, Any]) -> None:
    asyncio.run(_ingest(settings, doc))


@dataclass
class Generated:
    doc: dict[str, Any]
    model: Model
    ids: list[str]

    def within(self, where: dict[str, Any] | None, extra_ids: Sequence[str] = ()) -> dict[str, Any]:
        """`where`, restricted to the generated entities (and `extra_ids`)."""
        ids = [*self.ids, *extra_ids]
        if where is None:
            return {"ids": ids}
        if "ids" in where:
            return {"AND": [where, {"ids": ids}]}
        return {**where, "ids": ids}

    def expected(self, field: str, where=None, key="NAME", direction="ASC") -> list[str]:
        return self.model.expected_ids(where, KINDS[field], key, direction)


def generated_graph(settings) -> Iterator[Generated]:
    """The generated graph written to Neo4j for a module's tests, removed afterwards."""
    doc = generate()
    delete_generated(settings)  # leftovers of an interrupted run
    ingest(settings, doc)
    try:
        model = Model.of(doc)
        yield Generated(doc, model, model.ids())
    finally:
        delete_generated(settings)
