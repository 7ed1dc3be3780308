"""Where one request's time goes, in-process: each benchmark query run through the
service's schema (no HTTP), timing the whole execution and the part spent outside
`db.read` (the GraphQL engine, resolvers, completion). Medians of N runs after a warm-up.

    .venv/bin/python -m bench.inprocess --size 100000 --queries nested,filtered_page

The bench Neo4j of that size must hold its graph (bench.ingest or make bench); it is
started if needed. Used to measure a change before keeping it (bench/FINDINGS.md).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from bench import database
from bench.queries import find_targets, query_set
from graph.db import Database


async def measure(size: int, names: list[str], runs: int) -> None:
    from graph.resolvers.context import Context
    from graph.schema import schema

    db = Database(database.settings(size))
    try:
        queries = {q.name: q for q in query_set(await find_targets(db))}
        spent = [0.0]
        read = db.read

        async def timed(cypher):
            started = time.perf_counter()
            try:
                return await read(cypher)
            finally:
                spent[0] += time.perf_counter() - started

        db.read = timed  # type: ignore[method-assign]  # counts the time in Neo4j and the driver
        for name in names or list(queries):
            document, variables = queries[name].ours
            totals, outside = [], []
            for i in range(5 + runs):
                spent[0] = 0.0
                started = time.perf_counter()
                result = await schema.execute(
                    document, variable_values=variables, context_value=Context(db=db)
                )
                took = time.perf_counter() - started
                if result.errors:
                    raise SystemExit(f"{name}: {result.errors}")
                if i >= 5:
                    totals.append(took * 1000)
                    outside.append((took - spent[0]) * 1000)
            print(
                f"{name:<14} median {statistics.median(totals):7.1f} ms, outside db.read "
                f"{statistics.median(outside):6.1f} ms ({runs} runs)"
            )
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", default="", help="comma-separated names; all by default")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    cfg = database.settings(args.size)
    database.stop_others(args.size)
    database.start(cfg, log=lambda _: None)
    asyncio.run(measure(args.size, [q for q in args.queries.split(",") if q], args.runs))


if __name__ == "__main__":
    main()
