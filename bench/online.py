"""Online ingestion into the loaded benchmark graph: the rate of `graph.cli ingest` (the
transactional path, claims and change records included) into a store that already holds
the graph, then the store put back as it was.

    .venv/bin/python -m bench.online --size 1000000      # after bench.ingest / make bench

The file comes from bench/make_ingest_file.py (its own id prefix and source; none of its
relationships touches an entity outside it), so everything it added, the Change records
about it and its source are deleted afterwards, and the store holds exactly the
generated graph again. bench/run.py runs this after the query load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

from bench import database, make_ingest_file
from bench.ingest import load_file
from graph.db import Database
from graph.settings import Settings

PREFIX = "online-bench-"
ENTITIES, RELATIONSHIPS = 50_000, 200_000


def write_file(entities: int, relationships: int) -> Path:
    path = database.DATA / f"online-{entities}-{relationships}.jsonl"
    if not path.exists():
        source, ents, rels = make_ingest_file.generate(entities, relationships, PREFIX)
        make_ingest_file.write_jsonl(path, source, ents, rels)
    return path


async def remove(cfg: Settings) -> dict[str, int]:
    """Deletes what the file added (in batches: 10^5 nodes and their relationships)."""
    db = Database(cfg)
    removed: dict[str, int] = {}
    try:
        for name, text in (
            (
                # Bulk writes keep one Change per batch and action, named in each
                # written fact's `_changes`.
                "changes",
                "MATCH (n:Entity) WHERE n.id STARTS WITH $p "
                "UNWIND coalesce(n._changes, []) + COLLECT { MATCH (n)-[r]->() "
                "UNWIND coalesce(r._changes, []) AS x RETURN x } AS cid "
                "WITH DISTINCT cid MATCH (c:Change {id: cid}) "
                "CALL (c) { DELETE c } IN TRANSACTIONS OF 20000 ROWS RETURN count(*) AS n",
            ),
            (
                "entities",
                "MATCH (n:Entity) WHERE n.id STARTS WITH $p "
                "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS RETURN count(*) AS n",
            ),
            (
                "sources",
                "MATCH (s:Source) WHERE s.id STARTS WITH $p DETACH DELETE s RETURN count(*) AS n",
            ),
        ):
            # CALL ... IN TRANSACTIONS runs only in an auto-commit transaction.
            async with db.driver.session(database=db.database) as session:
                result = await session.run(text, {"p": PREFIX})
                removed[name] = sum([record["n"] async for record in result])
    finally:
        await db.close()
    return removed


async def _count(cfg: Settings) -> int:
    db = Database(cfg)
    try:
        [row] = await db.read(("MATCH (n:Entity) RETURN count(n) AS n", {}))
        return row["n"]
    finally:
        await db.close()


def measure(
    cfg: Settings,
    entities: int = ENTITIES,
    relationships: int = RELATIONSHIPS,
    log=print,
    fast: bool = True,
) -> dict:
    """Ingests the file online into the running bench Neo4j, times it, removes it.
    `fast` false: without the fast path for new facts (graph/bulk/writer.py)."""
    path = write_file(entities, relationships)
    before = asyncio.run(_count(cfg))
    log(f"online ingestion of {path.name} into a store of {before:,} entities ...")
    started = time.monotonic()
    rates = asyncio.run(load_file(cfg, path, fast=fast))
    log("  " + rates.summary())
    removed = asyncio.run(remove(cfg))
    after = asyncio.run(_count(cfg))
    log(f"  removed again: {removed} in {time.monotonic() - started - rates.total_seconds:.0f}s")
    if after != before:
        raise SystemExit(f"the store held {before:,} entities before and {after:,} after")
    return {
        "file": path.name,
        "store_entities": before,
        "entities": rates.entities,
        "relationships": rates.relationships,
        "check_seconds": rates.check_seconds,
        "total_seconds": rates.total_seconds,
        "write_rows_per_s": rates.write_rows_per_s,
        "rows_per_s": rates.rows_per_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="the loaded graph's entities")
    parser.add_argument("--entities", type=int, default=ENTITIES)
    parser.add_argument("--relationships", type=int, default=RELATIONSHIPS)
    parser.add_argument(
        "--upserts-only", action="store_true", help="no fast path for new facts (to compare)"
    )
    args = parser.parse_args()
    cfg = database.settings(args.size)
    database.stop_others(args.size)
    database.start(cfg)
    figures = measure(cfg, args.entities, args.relationships, fast=not args.upserts_only)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
