"""The benchmark, in one command: this service, @neo4j/graphql and the raw Python driver
on the same Neo4j and the same generated graph, in one run.

    make bench                                      # = the line below
    .venv/bin/python -m bench.run --size 100000

It starts a Neo4j of its own (port 7692, store data/bench/store-<size>, APOC core
loaded), generates and loads the graph through Neo4j's offline importer (the path
`graph.cli ingest` takes into an empty store) unless it is loaded already, starts
this service (uvicorn, loopback, --workers) and @neo4j/graphql on Node.js, checks that
the three systems answer each query alike, then runs the load generator as a separate
process (bench/loadgen.py) at each concurrency, and writes docs/benchmarks.md. Each
size's results are kept in docs/bench/results-<size>.json (with its plot beside it), so
docs/benchmarks.md shows every size measured: `make bench` (10^5 entities) and
`make bench BENCH_SIZE=1000000` (10^6 entities, 10^7 relationships) each rewrite their
own part.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import orjson

from bench import database, ingest, online, report, systems
from bench.queries import (
    DEEP_CONNECTION,
    Query,
    capture_cypher,
    count_items,
    find_targets,
    offset_cursor,
    query_set,
)
from graph.db import Database
from graph.settings import ROOT

# "cached": this service again, asked with GET and If-None-Match (HTTP caching, reported
# on a line of its own; the comparison with @neo4j/graphql is the uncached "ours").
SYSTEMS = ("ours", "neo4j-graphql", "raw", "cached")
OUR_PORT, THEIR_PORT = 8701, 8702


def _plan_json(value):
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    raise TypeError(type(value))


def _post(url: str, document: str, variables: dict) -> dict:
    import urllib.request

    body = orjson.dumps({"query": document, "variables": variables})
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as answer:
        return json.loads(answer.read())


def check_answers(
    queries: list[Query], servers: dict[str, systems.Server], failed: dict, log=print
) -> dict:
    """Each system answers each query once; their item counts are logged (and kept for the
    report) so a mismatch is seen. A query this service cannot answer stops the run; one
    the peer cannot answer is recorded in `failed` (query -> system -> message), reported
    as such, and not measured."""
    counts: dict[str, dict[str, int]] = {}
    for q in queries:
        counts[q.name] = {}
        for name, server in servers.items():
            document, variables = q.ours if name == "ours" else q.theirs
            try:
                answer = _post(server.url, document, variables)
            except Exception as exc:  # a time-out
                answer = {"errors": [{"message": f"{type(exc).__name__}: {exc}"}]}
            if answer.get("errors") or answer.get("data") is None:
                message = str((answer.get("errors") or [{}])[0].get("message"))[:300]
                if name == "ours":
                    raise SystemExit(f"{server.name} cannot answer {q.name}: {message}")
                log(f"  {server.name} cannot answer {q.name}: {message}")
                failed.setdefault(q.name, {})[name] = message
                continue
            counts[q.name][name] = count_items(q.name, answer["data"])
        log(f"  {q.name:<14} items: " + ", ".join(f"{k} {v}" for k, v in counts[q.name].items()))
    return counts


def try_deep_connection(server: systems.Server, targets, log=print) -> dict:
    """Asks @neo4j/graphql for the deep page through its cursor connection once, and
    says what happened (it is not the form measured: see bench/queries.py)."""
    t0 = time.monotonic()
    try:
        answer = _post(server.url, DEEP_CONNECTION, {"after": offset_cursor(targets.deep_offset)})
        error = (answer.get("errors") or [{}])[0].get("message")
    except Exception as exc:  # a time-out
        error = f"{type(exc).__name__}: {exc}"
    outcome = {"seconds": round(time.monotonic() - t0, 1), "error": error}
    log(f"  deep page through organizationsConnection(after:): {outcome}")
    return outcome


def _make_command(argv: list[str]) -> str:
    """The `make bench ...` line that gave these arguments (the Makefile passes
    `--size $(BENCH_SIZE) $(BENCH_ARGS)`)."""
    size = argv[1] if argv[:1] == ["--size"] else "100000"
    rest = argv[2:] if argv[:1] == ["--size"] else argv
    return (
        "make bench"
        + (f" BENCH_SIZE={size}" if size != "100000" else "")
        + (f' BENCH_ARGS="{" ".join(rest)}"' if rest else "")
    )


async def _prepare(cfg) -> tuple[list[Query], object]:
    db = Database(cfg)
    try:
        targets = await find_targets(db)
        queries = query_set(targets)
        await capture_cypher(db, queries)
    finally:
        await db.close()
    return queries, targets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="entities (10^4 .. 10^6)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--degree", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (and Node's)")
    parser.add_argument("--pool-size", type=int, default=50, help="driver pool per process")
    parser.add_argument("--concurrency", default="1,16,64")
    parser.add_argument("--requests", type=int, default=200, help="measured, per cell")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured, per cell")
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--queries", default="", help="comma-separated names; all by default")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--keep-neo4j", action="store_true", help="leave the bench Neo4j up")
    parser.add_argument(
        "--no-online",
        dest="online",
        action="store_false",
        help="skip measuring online ingestion into the loaded graph (bench/online.py)",
    )
    args = parser.parse_args()
    command = (
        _make_command(sys.argv[1:])
        if os.environ.get("MAKELEVEL")
        else (".venv/bin/python -m bench.run " + " ".join(sys.argv[1:]))
    )
    chosen = [s for s in args.systems.split(",") if s]
    levels = [int(c) for c in args.concurrency.split(",")]

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.time()
    note = ingest.ensure_loaded(args.size, args.seed, args.degree, log=log)
    cfg = database.settings(args.size)
    neo = database.local(cfg)
    servers: dict[str, systems.Server] = {}
    watches: dict[str, systems.MemoryWatch] = {}
    try:
        queries, targets = asyncio.run(_prepare(cfg))
        if args.queries:
            wanted = args.queries.split(",")
            queries = [q for q in queries if q.name in wanted]
        log(f"targets: {targets}")
        if "ours" in chosen or "cached" in chosen:
            servers["ours"] = systems.start_ours(
                cfg.bolt_uri,
                OUR_PORT,
                args.workers,
                args.pool_size,
                extra_env=database.credentials_env(cfg),
            )
        if "neo4j-graphql" in chosen:
            systems.ensure_node_modules(log)
            servers["neo4j-graphql"] = systems.start_neo4j_graphql(
                cfg.bolt_uri,
                THEIR_PORT,
                args.workers,
                max(args.pool_size, 100),
                extra_env=database.credentials_env(cfg),
            )
        for server in servers.values():
            server.wait()
            watches[server.name] = systems.MemoryWatch(server.process.pid).start()
        log("checking that every system answers every query:")
        failed: dict[str, dict[str, str]] = {}
        counts = check_answers(queries, servers, failed, log)
        deep_connection = None
        if "neo4j-graphql" in servers and any(q.name == "deep_page" for q in queries):
            deep_connection = try_deep_connection(servers["neo4j-graphql"], targets, log)

        plan = {
            "systems": {
                **(
                    {"ours": {"url": servers["ours"].url, "document": "ours"}}
                    if "ours" in servers
                    else {}
                ),
                **(
                    {"neo4j-graphql": {"url": servers["neo4j-graphql"].url, "document": "theirs"}}
                    if "neo4j-graphql" in servers
                    else {}
                ),
                **(
                    {"raw": {"uri": cfg.bolt_uri, "pool": args.pool_size}}
                    if "raw" in chosen
                    else {}
                ),
                **(
                    {"cached": {"url": servers["ours"].url, "document": "ours"}}
                    if "cached" in chosen
                    else {}
                ),
            },
            "queries": {
                q.name: {"ours": q.ours, "theirs": q.theirs, "cypher": q.cypher} for q in queries
            },
            "cells": [
                {
                    "system": s,
                    "query": q.name,
                    "concurrency": c,
                    "requests": args.requests if c > 1 else max(20, args.requests // 2),
                    "warmup": args.warmup,
                }
                for c in levels
                for i, q in enumerate(queries)
                # The order of the systems turns from query to query, so that none always
                # runs right after another one's heaviest work (Neo4j's garbage collector
                # and caches carry it over).
                for s in chosen[i % len(chosen) :] + chosen[: i % len(chosen)]
                if s not in failed.get(q.name, {})
            ],
        }
        work = database.DATA / "run"
        work.mkdir(parents=True, exist_ok=True)
        plan_path, cells_path = work / "plan.json", work / "cells.json"
        plan_path.write_bytes(orjson.dumps(plan, default=_plan_json, option=orjson.OPT_INDENT_2))
        load_before = os.getloadavg()
        log(f"load generator: {len(plan['cells'])} cells ...")
        subprocess.run(
            [sys.executable, "-m", "bench.loadgen", str(plan_path), str(cells_path)],
            cwd=ROOT,
            env={**os.environ, **database.credentials_env(cfg)},  # the raw driver's
            check=True,
        )
        load_after = os.getloadavg()
        for watch in watches.values():
            watch.stop()
        online_rates = online.measure(cfg, log=log) if args.online else None
        cells = json.loads(cells_path.read_text())
        results = {
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": command,
            "seconds": time.time() - started,
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "graph": note,
            "targets": targets.__dict__,
            "queries": [{"name": q.name, "title": q.title} for q in queries],
            "documents": {q.name: {"ours": q.ours[0], "theirs": q.theirs[0]} for q in queries},
            "items": counts,
            "failed": failed,
            "deep_connection": deep_connection,
            "cells": cells,
            "memory": {
                name: {
                    "peak_total_mb": w.peak_total_kb / 1024,
                    "peak_process_mb": w.peak_process_kb / 1024,
                }
                for name, w in watches.items()
            },
            "loadavg": {"before": load_before, "after": load_after},
            "online": online_rates,
            "neo4j": {"heap": cfg.neo4j_heap, "pagecache": cfg.neo4j_pagecache},
            "machine": report.machine(),
        }
        report.write(results, args.out)
        log(f"results: {report.results_path(args.size)}; report: {args.out}")
    finally:
        for watch in watches.values():
            watch.stop()
        for server in servers.values():
            server.stop()
        if not args.keep_neo4j:
            neo.stop()


if __name__ == "__main__":
    main()
