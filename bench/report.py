# ruff: noqa: E501 (lines of Markdown)
"""docs/benchmarks.md and its plot from one run's results (bench/run.py).

The machine is described from /proc and the tools' versions; the targets of issue 5 are
checked against the figures; bench/FINDINGS.md (what profiling showed, written by hand)
is included as it stands.
"""

from __future__ import annotations

import math
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

from graph.settings import ROOT

NAMES = {"ours": "this service", "neo4j-graphql": "@neo4j/graphql", "raw": "raw driver"}
FINDINGS = ROOT / "bench" / "FINDINGS.md"
TARGET_C = 16


def _run(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "?"


def machine() -> dict[str, Any]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    from importlib.metadata import version

    node_pkg = (
        ROOT / "bench" / "neo4j-graphql" / "node_modules" / "@neo4j" / "graphql" / "package.json"
    )
    ngql = "?"
    if node_pkg.exists():
        import json

        ngql = json.loads(node_pkg.read_text())["version"]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_gb, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "node": _run(["node", "--version"]),
        "java": _run(["java", "-version"]),
        "strawberry": version("strawberry-graphql"),
        "graphql_core": version("graphql-core"),
        "neo4j_driver": version("neo4j"),
        "uvicorn": version("uvicorn"),
        "neo4j_graphql": ngql,
        "neo4j": "5.26.30 Community (embedded launcher, launcher/pom.xml), APOC core 5.26.19",
    }


def _cell(cells: list[dict], system: str, query: str, c: int) -> dict | None:
    for cell in cells:
        if cell["system"] == system and cell["query"] == query and cell["concurrency"] == c:
            return cell
    return None


def _fmt(x: float, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:,.{digits}f}"


def targets(results: dict) -> list[tuple[str, str, str]]:
    """(target, figures, met?) rows."""
    cells, names = results["cells"], [q["name"] for q in results["queries"]]
    rows = []
    levels = sorted({c["concurrency"] for c in cells})
    c = TARGET_C if TARGET_C in levels else max(levels)
    size = results["graph"]["entities"]
    rels = results["graph"]["meta"]["relationships"]
    scope = f"c={c}, {size:,} entities / {rels:,} relationships"
    misses = []
    for q in names:
        ours, theirs = _cell(cells, "ours", q, c), _cell(cells, "neo4j-graphql", q, c)
        if ours and theirs and ours["throughput"] < theirs["throughput"]:
            misses.append(f"{q} ({ours['throughput']:.0f} vs {theirs['throughput']:.0f} req/s)")
    have = [q for q in names if _cell(cells, "ours", q, c) and _cell(cells, "neo4j-graphql", q, c)]
    if have:
        ratios = [
            _cell(cells, "ours", q, c)["throughput"]
            / max(1e-9, _cell(cells, "neo4j-graphql", q, c)["throughput"])
            for q in have
        ]
        rows.append(
            (
                f"throughput ≥ @neo4j/graphql on every query ({scope})",
                f"ours/theirs {min(ratios):.2f}× to {max(ratios):.2f}×"
                + (f"; below on {', '.join(misses)}" if misses else ""),
                "met" if not misses else f"missed on {len(misses)} of {len(have)}",
            )
        )
    over = []
    ratios = []
    for q in names:
        ours, raw = _cell(cells, "ours", q, c), _cell(cells, "raw", q, c)
        if ours and raw and raw["p50_ms"] > 0:
            ratio = ours["p50_ms"] / raw["p50_ms"]
            ratios.append(ratio)
            if ratio > 1.3:
                over.append(f"{q} {ratio:.2f}×")
    if ratios:
        rows.append(
            (
                f"p50 ≤ 1.3× raw-driver p50 ({scope})",
                f"{min(ratios):.2f}× to {max(ratios):.2f}×"
                + (f"; over on {', '.join(over)}" if over else ""),
                "met" if not over else f"missed on {len(over)} of {len(ratios)}",
            )
        )
    for level in levels:
        first, deep = (
            _cell(cells, "ours", "first_page", level),
            _cell(cells, "ours", "deep_page", level),
        )
        if first and deep:
            ratio = deep["p50_ms"] / first["p50_ms"]
            rows.append(
                (
                    f"deep page within 20% of first page (p50, c={level})",
                    f"{deep['p50_ms']:.1f} vs {first['p50_ms']:.1f} ms ({ratio:.2f}×)",
                    "met" if ratio <= 1.2 else "missed",
                )
            )
    load = results["graph"]["load"]
    rows.append(
        (
            "bulk ingestion ≥ 50,000 rows/s",
            f"{load['write_rows_per_s']:,.0f} rows/s writing ({load['entities_per_s']:,.0f} entities/s, "
            f"{load['relationships_per_s']:,.0f} relationships/s); {load['rows_per_s']:,.0f} rows/s with checking",
            "met" if load["write_rows_per_s"] >= 50_000 else "missed",
        )
    )
    mem = results["memory"].get("this service")
    if mem:
        rows.append(
            (
                "service memory < 300 MB at any point",
                f"peak {mem['peak_total_mb']:.0f} MB all processes "
                f"({results['args']['workers']} workers + supervisor), {mem['peak_process_mb']:.0f} MB the largest one",
                "met" if mem["peak_total_mb"] < 300 else "missed",
            )
        )
    return rows


def plot(results_path: Path, png: Path) -> None:
    """The PNG, drawn by bench/plot.py with .venv-bench's matplotlib (see
    bench/requirements.txt), or with this interpreter's when there is no .venv-bench."""
    python = ROOT / ".venv-bench" / "bin" / "python"
    cmd = [str(python if python.exists() else sys.executable), "-m", "bench.plot"]
    subprocess.run([*cmd, str(results_path), str(png)], cwd=ROOT, check=True)


def write(results: dict, out: Path, results_path: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    png = out.with_suffix(".png")
    plot(results_path, png)
    m = results["machine"]
    g = results["graph"]
    meta, load = g["meta"], g["load"]
    cells = results["cells"]
    levels = sorted({c["concurrency"] for c in cells})
    systems = [s for s in NAMES if any(c["system"] == s for c in cells)]
    lines = [
        "# Benchmarks",
        "",
        "This service, [@neo4j/graphql](https://neo4j.com/docs/graphql/current/) "
        f"{m['neo4j_graphql']} (Apollo Server on Node.js) and the same Cypher sent straight "
        "through the Python driver (no HTTP, no GraphQL), measured in one run on the same "
        "Neo4j and the same generated graph. Written by `bench/run.py`; do not edit by hand "
        "(what profiling showed lives in `bench/FINDINGS.md` and is copied in below).",
        "",
        "## How it was run",
        "",
        "```sh",
        results["command"],
        "```",
        "",
        f"- When: {results['when']} (the whole run took {results['seconds'] / 60:.0f} min).",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; Linux {m['kernel']}. "
        f"Load average {results['loadavg']['before'][0]:.1f} before the load generator ran "
        f"and {results['loadavg']['after'][0]:.1f} right after it (that one is the run's own "
        "load: 64 clients, three systems and Neo4j on 2 cores)"
        + (
            " — other processes were using the CPU before it started, so figures are noisier "
            "and lower than on an idle machine; the three systems were measured one after the "
            "other, query by query (in an order that turns from query to query), so they "
            "shared the noise."
            if results["loadavg"]["before"][0] > 1.5
            else "."
        ),
        f"- Software: Python {m['python']}, Strawberry {m['strawberry']}, graphql-core "
        f"{m['graphql_core']}, uvicorn {m['uvicorn']}, neo4j driver {m['neo4j_driver']}; "
        f"Node.js {m['node']}, @neo4j/graphql {m['neo4j_graphql']}; {m['java']}; Neo4j {m['neo4j']}.",
        f"- Everything on one machine over loopback: Neo4j (heap and page cache from "
        f"LOCAL_NEO4J_HEAP / LOCAL_NEO4J_PAGECACHE, defaults 3g / 4g), this service with "
        f"{results['args']['workers']} uvicorn workers (driver pool {results['args']['pool_size']} each), "
        f"@neo4j/graphql with {results['args']['workers']} Node processes, and the load generator "
        "(`bench/loadgen.py`, asyncio over keep-alive HTTP/1.1 connections, one per concurrent "
        "client) as a separate process, which also runs the raw-driver baseline.",
        f"- Per cell (system × query × concurrency): {results['args']['warmup']} warm-up requests, "
        f"then {results['args']['requests']} measured ones ({max(20, results['args']['requests'] // 2)} at "
        "concurrency 1). An answer is an error when it is not HTTP 200 with `data` and no `errors`.",
        "",
        "## The graph",
        "",
        f"Generated by `bench/generate.py` (seed {g['seed']}): {meta['entities']:,} entities, "
        f"{meta['relationships']:,} relationships of {sum(1 for v in meta['relationshipsByType'].values() if v)} "
        f"types, {meta['sources']} sources. Degrees are heavy-tailed: the top 1% of entities hold "
        f"{meta['top1PercentEdgeShare']:.0%} of relationship ends; the largest hub has "
        f"{meta['topDegrees'][0][1]:,} relationships.",
        "",
        f"Loaded through the bulk ingestion path (`graph.bulk`, as `python -m graph.cli ingest FILE`): "
        f"**{load['entities_per_s']:,.0f} entities/s** ({load['entity_seconds']:.0f} s) and "
        f"**{load['relationships_per_s']:,.0f} relationships/s** ({load['relationship_seconds']:.0f} s), "
        f"{load['write_rows_per_s']:,.0f} rows/s while writing; {load['rows_per_s']:,.0f} rows/s over the "
        f"whole run including {load['check_seconds']:.0f} s of reading and checking the file.",
        "",
        "## Targets",
        "",
        "| target | figures | |",
        "|---|---|---|",
        *[f"| {t} | {f} | {ok} |" for t, f, ok in targets(results)],
        "",
        "## Results",
        "",
        f"![throughput and latency]({png.name})",
        "",
        "Throughput is successful requests per second; latencies in milliseconds.",
        "",
    ]
    titles = {q["name"]: q["title"] for q in results["queries"]}
    for level in levels:
        lines += [
            f"### Concurrency {level}",
            "",
            "| query | system | req/s | p50 | p95 | p99 | errors |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for q in results["queries"]:
            for s in systems:
                cell = _cell(cells, s, q["name"], level)
                if cell is None:
                    continue
                lines.append(
                    f"| {titles[q['name']]} | {NAMES[s]} | {_fmt(cell['throughput'])} | "
                    f"{_fmt(cell['p50_ms'])} | {_fmt(cell['p95_ms'])} | {_fmt(cell['p99_ms'])} | "
                    f"{cell['errors']} |"
                )
        lines.append("")
    mem_lines = [
        f"- {name}: peak {v['peak_total_mb']:.0f} MB resident over all its processes, "
        f"{v['peak_process_mb']:.0f} MB the largest one."
        for name, v in results["memory"].items()
    ]
    lines += ["## Memory", "", *mem_lines, ""]
    lines += [
        "## The query set",
        "",
        "The same questions to each system (`bench/queries.py`); item counts of one answer "
        "each, checked before the load:",
        "",
        "| query | " + " | ".join(NAMES[s] for s in systems if s != "raw") + " |",
        "|---|" + "---:|" * len([s for s in systems if s != "raw"]),
    ]
    for q in results["queries"]:
        items = results["items"].get(q["name"], {})
        lines.append(
            f"| {titles[q['name']]} | "
            + " | ".join(str(items.get(s, "–")) for s in systems if s != "raw")
            + " |"
        )
    t = results["targets"]
    lines += [
        "",
        f"Ids: borrower `{t['borrower']}`, hub `{t['hub']}`, path `{t['path_from']}` → "
        f"`{t['path_to']}` ({t['path_length']} hops), deep page after {t['deep_offset']:,} items.",
        "",
        "- **This service** answers each root field with one Cypher query (its whole "
        "selection compiled into nested `COLLECT` subqueries); the raw-driver baseline replays "
        "exactly that Cypher, captured from the service.",
        "- **@neo4j/graphql** generates its own Cypher for the nested entity, the filtered "
        "page and the two collection pages (`organizationsConnection` with an offset cursor for "
        "the deep page: its cursors are offsets, so it SKIPs); search, the shortest path, the "
        "neighbourhood and the credit totals are `@cypher` fields running the same Cypher as "
        "this service (`bench/neo4j-graphql/typeDefs.graphql`).",
        "",
    ]
    if FINDINGS.exists():
        lines += [FINDINGS.read_text(encoding="utf-8").strip(), ""]
    out.write_text("\n".join(lines), encoding="utf-8")
