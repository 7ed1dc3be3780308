"""A run: check every record of every input, then write sources, entities and
relationships in batches of one transaction each.

Nothing is written when any row is invalid, unless `skip_invalid`: then the valid rows
are. Writes MERGE, so a run changes nothing the second time, and a run that stopped
part-way (Ctrl-C, kill -9, Neo4j gone) completes when it is run again: every batch
committed whole or not at all.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Iterator
from itertools import islice

from graph import claims
from graph.bulk.check import Checked, Checker
from graph.bulk.keys import refresh_keys
from graph.bulk.progress import Silent
from graph.bulk.records import ENTITY, RELATIONSHIP, Input, Problem
from graph.bulk.report import IngestReport, change_record
from graph.bulk.writer import BATCH_TIMEOUT_S, ENTITIES, RELATIONSHIPS, Guard, Row, write_batch
from graph.cypher import bulk, setup, writes
from graph.cypher.nodes import relationship_id
from graph.db import Database, Transaction
from graph.domain import Kind
from graph.facts import KIND_NAMES, entity_row, relationship_row, source_row

BATCH_SIZE = 5000
WRITERS = 2  # batches in flight at once (see _write_batches)
LOOKUP_CHUNK = 10_000
_TICK = 1000  # records between progress updates while checking


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


async def check_inputs(db: Database, inputs: list[Input], progress: Silent) -> Checked:
    checker = Checker()
    for index, origin in enumerate(inputs):
        progress.checking(origin.name)
        for n, item in enumerate(origin.read(), 1):
            checker.add(index, origin, item)
            if n % _TICK == 0:
                progress.checked(_TICK)
    source_ids, entity_ids = checker.unresolved()
    graph_sources: set[str] = set()
    for chunk in _chunks(source_ids, LOOKUP_CHUNK):
        graph_sources |= {row["id"] for row in await db.read(bulk.existing_sources(chunk))}
    graph_kinds: dict[str, Kind | None] = {}
    for chunk in _chunks(entity_ids, LOOKUP_CHUNK):
        for row in await db.read(bulk.entity_kinds(chunk)):
            graph_kinds[row["id"]] = Kind(row["kind"]) if row["kind"] in KIND_NAMES else None
    return checker.finish(graph_sources, graph_kinds)


def rows_of(inputs: list[Input], checked: Checked, *record_types: str) -> Iterator[Row]:
    """The valid rows of these record types (entities, relationships), as upserts take
    them, in file order: one read of each input that holds any."""
    for index, origin in enumerate(inputs):
        if not checked.types[index] & set(record_types):
            continue
        spans = [checked.spans[(index, t)] for t in record_types if (index, t) in checked.spans]
        items = (
            origin.read_span(min(a for a, _ in spans), max(b for _, b in spans))
            if origin.read_span is not None and spans
            else origin.read()
        )
        for item in items:
            if isinstance(item, Problem) or item.type not in record_types:
                continue
            if (index, item.line) in checked.invalid:
                continue
            if item.type == ENTITY:
                data = entity_row(item.data, origin.default_source)
                yield Row(ENTITIES, Kind(item.data["kind"]), data, origin, item)
            else:
                data = relationship_row(item.data, origin.default_source)
                yield Row(RELATIONSHIPS, item.data["type"], data, origin, item)


async def write_schema(db: Database) -> None:
    """The graph's constraints and indexes, made when missing; returns once they are
    online."""
    for statement in setup.schema_statements():
        await db.write((statement, {}))
    await db.write((setup.AWAIT_INDEXES, {}))


async def ensure_schema(db: Database) -> None:
    """The graph's constraints and indexes, made when missing, before anything is written;
    then what older stores lack (sort keys, the duplicate finder's keys)."""
    await write_schema(db)
    # Batches, each its own transaction, so a large old store stays within the query
    # timeout and transaction memory.
    while True:
        [row] = await db.write((setup.BACKFILL_SORT_NAME, {"batch": setup.BACKFILL_BATCH}))
        if row["filled"] < setup.BACKFILL_BATCH:
            break
    await migrate_claims(db)
    await refresh_keys(db)


async def migrate_claims(db: Database) -> None:
    """Gives the facts of a store written before claims their claims (once: an empty
    store, or one whose first write was of this version, has nothing to do)."""
    [state] = await db.read((setup.MIGRATION_STATE, {}))
    if state["done"] or not state["facts"]:
        return
    after = ""
    while True:
        rows = await db.read(setup.facts_without_claims(after, setup.BACKFILL_BATCH))
        if not rows:
            break
        entities, relationships = [], []
        for row in rows:
            if row["props"] is not None:
                entities.append({"id": row["id"], "claims": _stored_claims(row["props"])})
            for rel in row["relationships"]:
                target = relationship_id(row["id"], rel["type"], rel["to"])
                made = claims.row_claims(
                    rel["type"], rel["props"], rel["props"].get("_prov") or [], target=target
                )
                relationships.append(
                    {"id": rel["id"], "claims": [e for c in made for e in c["entries"]]}
                )
        if entities or relationships:
            params = {"entities": entities, "relationships": relationships}
            await db.write((setup.SET_CLAIMS, params))
        after = rows[-1]["id"]
    await db.write((setup.RECORD_MIGRATION, {}))


def _stored_claims(props: dict) -> list[str]:
    made = claims.row_claims(
        props["kind"],
        props,
        props.get("_prov") or [],
        name=props.get("name"),
        aliases=props.get("aliases") or [],
        target=props["id"],
    )
    return [e for c in made for e in c["entries"]]


async def ingest(
    db: Database,
    inputs: list[Input],
    *,
    by: str,
    via: str,
    batch_size: int = BATCH_SIZE,
    skip_invalid: bool = False,
    progress: Silent | None = None,
    report: IngestReport | None = None,
    writers: int = WRITERS,
    guard: Guard | None = None,
    fast: bool = True,
) -> IngestReport:
    """Checks, then writes. `report` (if given) is filled as batches commit, so a caller
    that is interrupted can still say how far the run got. `guard`: see
    graph.bulk.writer (the seed's loads never replace what others set); `fast` false
    sends new facts through the upserts too (tests compare the two)."""
    progress = progress or Silent()
    report = report if report is not None else IngestReport()
    started = time.monotonic()
    await ensure_schema(db)
    checked = await check_inputs(db, inputs, progress)
    report.invalid, report.invalid_rows = checked.problems, checked.invalid_rows
    report.check_seconds = time.monotonic() - started
    if checked.problems and not skip_invalid:
        report.seconds = time.monotonic() - started
        return report

    change = change_record(by, via)
    sources = [source_row(s) for s in checked.sources.values()]
    if sources:

        async def write_sources(tx: Transaction) -> None:
            for source in sources:
                await tx.run(writes.upsert_source(source))

        await db.transaction(write_sources, timeout_s=BATCH_TIMEOUT_S)
        report.sources_written = len(sources)

    progress.writing(checked.valid_rows)
    # Every entity is committed before any relationship is written: a relationship's
    # batch must find the entities it joins.
    for record_type in (ENTITY, RELATIONSHIP):
        batches = _batches(rows_of(inputs, checked, record_type), batch_size)
        await _write_batches(db, batches, change, report, progress, writers, guard, fast)
        report.seconds = time.monotonic() - started
    return report


async def _write_batches(
    db: Database,
    batches: Iterator[list[Row]],
    change: dict,
    report: IngestReport,
    progress: Silent,
    writers: int,
    guard: Guard | None = None,
    fast: bool = True,
) -> None:
    """Up to `writers` batches in flight at once: Neo4j works on one while the next is
    read and sent. Results are counted as each batch commits."""
    pending: set[asyncio.Task] = set()

    def count(done: set[asyncio.Task]) -> None:
        for task in done:
            rows, results = task.result()
            for target, result in results:
                report.add(target, result)
            progress.wrote(rows)

    async def write(batch: list[Row]) -> tuple[int, list]:
        return len(batch), await write_batch(db, batch, change, guard, fast)

    try:
        for batch in batches:
            if len(pending) >= writers:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                count(done)
            pending.add(asyncio.create_task(write(batch)))
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            count(done)
    finally:
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
