"""Soak run: many mixed requests at high concurrency over loopback, against the service
running as its own process, with the service's memory (RSS) sampled throughout.

    .venv/bin/python -m tests.soak                      # 20,000 requests, concurrency 64
    .venv/bin/python -m tests.soak --write-docs         # and write docs/reliability.md
    .venv/bin/python -m tests.soak --requests 2000      # a short one

It starts a Neo4j of its own (port chosen free, store in data/soak) unless NEO4J_URI is
set (then that database is ERASED and used), loads the seed graph and the generated
3,000-entity graph of the collection tests, starts `python -m graph.cli serve` on a free
loopback port, and sends the requests from 64 concurrent clients. It stops by itself
after the requests are sent (and gives up after --max-seconds in any case).

Each answer is checked: HTTP 200, no `errors`, and the data of its kind of operation.
Memory counts as stable when the RSS at the end is within 25% (or 40 MB) of the RSS
after the warm-up (the first 10% of the requests).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import random
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from graph.settings import ROOT, Settings
from tests.commands import neo4j_env

DOCS = ROOT / "docs" / "reliability.md"

ENTITY = """query Entity($id: ID!) { entity(id: $id) { id name kind
  provenance { paragraph source { title } }
  relationships(first: 20) { type other { id name } } } }"""
SEARCH = """query Search($text: String!) { search(text: $text, first: 10) {
  score entity { id name kind } } }"""
PAGE = """query Page($after: String) { organizations(first: 25, after: $after,
  orderBy: {key: NAME}) { totalCount pageInfo { hasNextPage endCursor }
  edges { node { id name } } } }"""
FILTER = """query Borrowers { organizations(where: {related: [{type: "BORROWED", direction: OUT,
  where: {related: [{type: "LENT", direction: IN, where: {id: "bank-of-beijing"}}]}}]}) {
  totalCount edges { node { id name } } } }"""
NEIGHBOURHOOD = """query Hood($id: ID!) { neighborhood(id: $id, hops: 2, limit: 100) {
  truncated nodes { id name kind } edges { type from to } } }"""
PATH = """query Path($from: ID!, $to: ID!) { shortestPath(fromId: $from, toId: $to) {
  length nodes { id name } edges { type from to } } }"""
TOTALS = """query Totals { creditTotals(groupBy: LENDER) { entity { name } total { amount currency }
  count } stats { sources entities } }"""
TIMELINE = """query Timeline { timeline(id: "zhongguancun-science-park", hops: 2) {
  date label entity { id name } } }"""
PERSISTED = '{ entity(id: "potevio") { name kind } }'

SEED_IDS = [
    "bank-of-beijing",
    "potevio",
    "beijing-intellectual-property-bureau",
    "zhongguancun-science-park",
    "bank-of-china",
]
WORDS = ["bank", "Bank of Bejing", "北京银行", "BOB", "patent", "Zhongguan", "alliance", "credit"]
# Searches whose answer the article fixes, whatever else the graph holds: the entity that
# must be among the hits.
SEARCH_FINDS = {
    "BOB": "bank-of-beijing",  # its alias in the article
    "Potevio": "potevio",
    "Zhongguancun IP Service Alliance": "zhongguancun-ip-service-alliance",
    "北京银行": "bank-of-beijing",
}


@dataclass
class Outcome:
    kind: str
    ok: bool
    seconds: float
    detail: str = ""


@dataclass
class Report:
    requests: int
    concurrency: int
    seconds: float
    outcomes: list[Outcome]
    rss: list[tuple[float, int]]  # (seconds since start, bytes)
    warmup_rss: int
    metrics: dict[str, float] = field(default_factory=dict)
    load_average: tuple[float, float] = (0.0, 0.0)  # 1-minute, at the start and the end
    # From the service's own request log: time inside the service, and in Neo4j (ms).
    service_ms: list[float] = field(default_factory=list)
    service_neo4j_ms: list[float] = field(default_factory=list)

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    def latency(self, q: float, kind: str | None = None) -> float:
        times = sorted(o.seconds for o in self.outcomes if kind in (None, o.kind))
        if not times:
            return 0.0
        return times[min(len(times) - 1, int(q * len(times)))]

    @property
    def end_rss(self) -> int:
        return self.rss[-1][1] if self.rss else 0

    @property
    def peak_rss(self) -> int:
        return max((b for _, b in self.rss), default=0)

    @property
    def memory_stable(self) -> bool:
        growth = self.end_rss - self.warmup_rss
        return growth <= max(0.25 * self.warmup_rss, 40 * 2**20)


def rss_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def pick(rng: random.Random, generated: list[str]) -> tuple[str, dict[str, Any]]:
    """One request: (kind, JSON body), drawn from a fixed mix."""
    ids = SEED_IDS + generated
    roll = rng.random()
    if roll < 0.22:
        return "entity", {"query": ENTITY, "variables": {"id": rng.choice(ids)}}
    if roll < 0.40:
        text = rng.choice(WORDS + list(SEARCH_FINDS))
        return "search", {"query": SEARCH, "variables": {"text": text}}
    if roll < 0.52:
        return "page", {"query": PAGE, "variables": {"after": None}}
    if roll < 0.58:
        return "filter", {"query": FILTER}
    if roll < 0.68:
        return "neighbourhood", {"query": NEIGHBOURHOOD, "variables": {"id": rng.choice(ids)}}
    if roll < 0.76:
        a, b = rng.sample(SEED_IDS, 2)
        return "path", {"query": PATH, "variables": {"from": a, "to": b}}
    if roll < 0.84:
        return "totals", {"query": TOTALS}
    if roll < 0.90:
        return "timeline", {"query": TIMELINE}
    digest = hashlib.sha256(PERSISTED.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    return "persisted", {"query": PERSISTED, "extensions": extensions}


def _entity(d: dict, v: dict) -> bool:
    # Every id asked for exists (the seed's, and the generated ones the soak loaded).
    return d["entity"]["id"] == v["id"] and d["entity"]["provenance"][0]["source"]["title"]


def _search(d: dict, v: dict) -> bool:
    hits = [hit["entity"]["id"] for hit in d["search"]]
    expected = SEARCH_FINDS.get(v["text"])
    return bool(hits) and (expected is None or expected in hits)


def _page(d: dict, v: dict) -> bool:
    page = d["organizations"]
    names = [edge["node"]["name"].lower() for edge in page["edges"]]  # the sort key
    return len(names) == min(25, page["totalCount"]) > 0 and names == sorted(names)


def _neighbourhood(d: dict, v: dict) -> bool:
    hood = d["neighborhood"]
    ids = {node["id"] for node in hood["nodes"]}
    # An entity with no relationship is a neighbourhood of one (the generated graph has
    # a few); any other neighbourhood is held together by its edges.
    return (
        v["id"] in ids
        and (bool(hood["edges"]) or len(ids) == 1)
        and all(edge["from"] in ids and edge["to"] in ids for edge in hood["edges"])
    )


def _path(d: dict, v: dict) -> bool:
    # The seed's entities are all connected (the article links them).
    path = d["shortestPath"]
    nodes = [node["id"] for node in path["nodes"]]
    return (
        nodes[0] == v["from"]
        and nodes[-1] == v["to"]
        and path["length"] == len(path["edges"]) == len(nodes) - 1 >= 1
    )


def _totals(d: dict, v: dict) -> bool:
    # The article: Bank of Beijing granted Potevio a credit of CNY 200 million. A lender
    # has a row per currency; credits whose lender no source names form a group of their
    # own (`entity` null).
    return d["stats"]["sources"] >= 1 and any(
        row["entity"]
        and row["entity"]["name"] == "Bank of Beijing"
        and row["total"]["currency"] == "CNY"
        and row["count"] >= 1
        and row["total"]["amount"] >= 200_000_000
        for row in d["creditTotals"]
    )


def _timeline(d: dict, v: dict) -> bool:
    # The alliance was launched on 30 July 2013.
    return any(
        item["date"] == "2013-07-30"
        and item["entity"]["id"] == "zhongguancun-ip-service-alliance-launch-ceremony"
        for item in d["timeline"]
    )


EXPECTATIONS = {
    "entity": _entity,
    "search": _search,
    "page": _page,
    "filter": lambda d, v: [e["node"]["id"] for e in d["organizations"]["edges"]] == ["potevio"],
    "neighbourhood": _neighbourhood,
    "path": _path,
    "totals": _totals,
    "timeline": _timeline,
    "persisted": lambda d, v: d["entity"] == {"name": "Potevio", "kind": "ORGANIZATION"},
}


def check(kind: str, body: dict[str, Any], response: httpx.Response) -> str:
    """'' when the answer is right for the request (its values, not only its shape), else
    what is wrong."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    answer = response.json()
    if answer.get("errors"):
        return f"errors: {json.dumps(answer['errors'])[:300]}"
    data = answer.get("data") or {}
    try:
        right = EXPECTATIONS[kind](data, body.get("variables") or {})
    except (KeyError, TypeError, IndexError) as exc:
        return f"unexpected data ({exc!r}): {json.dumps(data)[:300]}"
    return "" if right else f"unexpected data: {json.dumps(data)[:300]}"


async def load(
    url: str,
    pid: int,
    total: int,
    concurrency: int,
    generated: list[str],
    max_seconds: float,
    seed: int = 7,
) -> Report:
    rng = random.Random(seed)
    plan = [pick(rng, generated) for _ in range(total)]
    outcomes: list[Outcome] = []
    rss: list[tuple[float, int]] = []
    warmup_rss = 0
    next_index = 0
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    deadline = started + max_seconds
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal warmup_rss
        while not done.is_set():
            rss.append((time.monotonic() - started, rss_of(pid)))
            if not warmup_rss and len(outcomes) >= total // 10:
                warmup_rss = rss[-1][1]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), 0.5)

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal next_index
        while next_index < total and time.monotonic() < deadline:
            kind, body = plan[next_index]
            next_index += 1
            t0 = time.perf_counter()
            try:
                response = await http.post("/graphql", json=body)
                problem = check(kind, body, response)
            except httpx.HTTPError as exc:
                problem = f"transport: {exc!r}"
            outcomes.append(Outcome(kind, not problem, time.perf_counter() - t0, problem))

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        sampler = asyncio.create_task(sample())
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
        seconds = time.monotonic() - started
        done.set()
        await sampler
        rss.append((time.monotonic() - started, rss_of(pid)))
        metrics_text = (await http.get("/metrics")).text
    report = Report(
        requests=total,
        concurrency=concurrency,
        seconds=seconds,
        outcomes=outcomes,
        rss=rss,
        warmup_rss=warmup_rss or (rss[0][1] if rss else 0),
        load_average=(load_before, os.getloadavg()[0]),
    )
    report.metrics = {
        name: _metric(metrics_text, name)
        for name in (
            "neo4j_query_duration_seconds_count",
            "neo4j_query_duration_seconds_sum",
            "http_requests_total",
        )
    }
    return report


def _metric(text: str, name: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


# ---------------------------------------------------------------- the service and Neo4j


def start_service(settings: Settings, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "PORT": str(port),
        "LOG_FORMAT": "json",
        **neo4j_env(settings),
    }
    with (settings.data_dir / "soak-service.log").open("w") as log:  # the child keeps it
        process = subprocess.Popen(
            [sys.executable, "-m", "graph.cli", "serve"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    deadline = time.monotonic() + 60
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
        while True:
            try:
                if http.get("/ready").status_code == 200:
                    return process
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise SystemExit("the service did not start; see data/soak/soak-service.log")
            time.sleep(0.2)


async def prepare_graph(settings: Settings) -> list[str]:
    """The seed and the generated graph; the generated ids (for lookups)."""
    from graph.bulk.document import write_document
    from graph.db import Database
    from tests.conftest import wipe_and_seed
    from tests.generated import generate

    await wipe_and_seed(settings)
    doc = generate()
    db = Database(settings)
    try:
        await write_document(db, doc)
    finally:
        await db.close()
    return [e["id"] for e in doc["entities"]][::25]


def soak(
    total: int = 20_000,
    concurrency: int = 64,
    max_seconds: float = 900,
    settings: Settings | None = None,
) -> Report:
    """The whole run: Neo4j (own or NEO4J_URI), the graph, the service, the load."""
    from graph.local_neo4j import LocalNeo4j
    from tests.conftest import free_port

    settings = settings or Settings.from_env()
    local = None
    if settings.uses_local_neo4j:
        settings = replace(
            settings,
            local_bolt_port=free_port(),
            data_dir=ROOT / "data" / "soak",
            neo4j_heap="2g",
            neo4j_pagecache="1g",
            neo4j_txmemory="1g",
        )
        local = LocalNeo4j(settings)
        local.start(log=lambda message: print(message, file=sys.stderr))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    service = None
    try:
        generated = asyncio.run(prepare_graph(settings))
        port = free_port()
        service = start_service(settings, port)
        url = f"http://127.0.0.1:{port}"
        report = asyncio.run(load(url, service.pid, total, concurrency, generated, max_seconds))
    finally:
        if service is not None:
            service.terminate()
            try:
                service.wait(timeout=30)
            except subprocess.TimeoutExpired:
                service.kill()
        if local is not None:
            local.stop()
    read_service_log(report, settings.data_dir / "soak-service.log")
    return report


def read_service_log(report: Report, path: Path) -> None:
    """The service's side of the run, from its JSON request log."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("{"):
            continue
        entry = json.loads(line)
        if entry.get("logger") == "graph.access" and entry.get("path") == "/graphql":
            report.service_ms.append(entry["duration_ms"])
            report.service_neo4j_ms.append(entry["neo4j_ms"])


# ---------------------------------------------------------------- reporting


def mb(value: int) -> str:
    return f"{value / 2**20:.0f} MB"


def summary(report: Report, command: str) -> str:
    kinds = Counter(o.kind for o in report.outcomes)
    errors = report.errors
    rate = len(report.outcomes) / report.seconds if report.seconds else 0.0
    neo4j_count = report.metrics.get("neo4j_query_duration_seconds_count", 0)
    neo4j_sum = report.metrics.get("neo4j_query_duration_seconds_sum", 0)
    lines = [
        f"Command: `{command}`",
        "",
        f"Run on {dt.date.today().isoformat()}, {os.cpu_count()} cores, "
        f"{_memory_gb():.0f} GB, Python {platform.python_version()}, Neo4j 5.26 (own process), "
        "client and service on the same machine over loopback; the machine's 1-minute load "
        f"average was {report.load_average[0]:.1f} at the start and "
        f"{report.load_average[1]:.1f} at the end.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| requests sent | {len(report.outcomes):,} of {report.requests:,} |",
        f"| concurrency | {report.concurrency} clients |",
        f"| errors | {len(errors)} |",
        f"| duration | {report.seconds:.1f} s |",
        f"| throughput | {rate:,.0f} requests/s |",
        f"| latency p50 / p95 / p99 / max | {report.latency(0.5) * 1000:.0f} / "
        f"{report.latency(0.95) * 1000:.0f} / {report.latency(0.99) * 1000:.0f} / "
        f"{report.latency(1.0) * 1000:.0f} ms |",
        f"| inside the service, p50 / p95 (its request log) | {_q(report.service_ms, 0.5)} / "
        f"{_q(report.service_ms, 0.95)} ms |",
        f"| of which in Neo4j, p50 / p95 | {_q(report.service_neo4j_ms, 0.5)} / "
        f"{_q(report.service_neo4j_ms, 0.95)} ms |",
        f"| Neo4j queries / mean time | {neo4j_count:,.0f} / "
        f"{(neo4j_sum / neo4j_count * 1000) if neo4j_count else 0:.1f} ms |",
        f"| service RSS after warm-up (10%) / peak / end | {mb(report.warmup_rss)} / "
        f"{mb(report.peak_rss)} / {mb(report.end_rss)} |",
        f"| memory stable (end within 25% or 40 MB of warm-up) | "
        f"{'yes' if report.memory_stable else 'NO'} |",
        "",
        "| operation | requests | p50 | p95 |",
        "|---|---|---|---|",
    ]
    for kind, count in sorted(kinds.items(), key=lambda item: -item[1]):
        lines.append(
            f"| {kind} | {count:,} | {report.latency(0.5, kind) * 1000:.0f} ms | "
            f"{report.latency(0.95, kind) * 1000:.0f} ms |"
        )
    samples = report.rss[:: max(1, len(report.rss) // 12)]
    lines += [
        "",
        "RSS of the service process over the run (sampled every 0.5 s; every "
        f"{max(1, len(report.rss) // 12)}th sample):",
        "",
        "| t (s) | RSS |",
        "|---|---|",
        *[f"| {t:.0f} | {mb(b)} |" for t, b in samples],
    ]
    if errors:
        lines += ["", "First errors:", ""]
        lines += [f"- {o.kind}: {o.detail}" for o in errors[:10]]
    return "\n".join(lines)


def _q(values: list[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))]:.0f}"


def _memory_gb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 2**20
    return 0.0


def write_docs(text: str) -> None:
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    page = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    start, end = "<!-- soak:begin -->", "<!-- soak:end -->"
    if start in page and end in page:
        before, rest = page.split(start, 1)
        after = rest.split(end, 1)[1]
        page = f"{before}{start}\n{text}\n{end}{after}"
    else:
        page = f"{page}\n{start}\n{text}\n{end}\n"
    DOCS.write_text(page, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--max-seconds", type=float, default=900)
    parser.add_argument("--write-docs", action="store_true", help="update docs/reliability.md")
    args = parser.parse_args(argv)
    command = ".venv/bin/python -m tests.soak" + " ".join(
        [""]
        + ([f"--requests {args.requests}"] if args.requests != 20_000 else [])
        + ([f"--concurrency {args.concurrency}"] if args.concurrency != 64 else [])
        + (["--write-docs"] if args.write_docs else [])
    )
    report = soak(args.requests, args.concurrency, args.max_seconds)
    text = summary(report, command)
    print(text)
    if args.write_docs:
        write_docs(text)
        print(f"\nwritten to {DOCS.relative_to(ROOT)}", file=sys.stderr)
    if report.errors or not report.memory_stable or len(report.outcomes) < report.requests:
        sys.exit(1)


if __name__ == "__main__":
    main()
