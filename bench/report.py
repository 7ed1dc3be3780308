# ruff: noqa: E501 (lines of Markdown)
"""docs/benchmarks.md and its plot from one run's results (bench/run.py).

The machine is described from /proc and the tools' versions; the targets of issue 16 are
checked against the figures of each size; bench/FINDINGS.md (what profiling showed, written by hand)
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

NAMES = {
    "ours": "this service",
    "neo4j-graphql": "@neo4j/graphql",
    "raw": "raw driver",
    "cached": "this service, cached GET",
}
FINDINGS = ROOT / "bench" / "FINDINGS.md"


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


def _floor(raw_p50: float) -> float:
    """The latency allowed at concurrency 1: max(1.3 × raw, raw + 2 ms)."""
    return max(1.3 * raw_p50, raw_p50 + 2.0)


def targets(results: dict) -> list[tuple[str, str, str]]:
    """(target, figures, met?) rows: the targets of issue 16 for one size."""
    cells, names = results["cells"], [q["name"] for q in results["queries"]]
    rows = []
    levels = sorted({c["concurrency"] for c in cells})
    for c in levels:
        have = [
            q for q in names if _cell(cells, "ours", q, c) and _cell(cells, "neo4j-graphql", q, c)
        ]
        if not have and not results.get("failed"):
            continue
        ratios = {
            q: _cell(cells, "ours", q, c)["throughput"]
            / max(1e-9, _cell(cells, "neo4j-graphql", q, c)["throughput"])
            for q in have
        }
        misses = [f"{q} {r:.2f}×" for q, r in ratios.items() if r < 1.0]
        # A query the peer cannot answer at all counts as one where this service is ahead.
        failed = [q for q in names if "neo4j-graphql" in results.get("failed", {}).get(q, {})]
        shown = (
            f"{min(ratios.values()):.2f}× to {max(ratios.values()):.2f}× where both answer"
            if ratios
            else "no query answered by both"
        )
        rows.append(
            (
                f"throughput ≥ 1.0× @neo4j/graphql on every query, c={c}",
                shown
                + (f"; @neo4j/graphql cannot answer {', '.join(failed)}" if failed else "")
                + (f"; below on {', '.join(misses)}" if misses else ""),
                "met" if not misses else f"missed on {len(misses)} of {len(ratios) + len(failed)}",
            )
        )
    c = min(levels) if levels else 1
    over, shown = [], []
    for q in names:
        ours, raw = _cell(cells, "ours", q, c), _cell(cells, "raw", q, c)
        if ours and raw and raw["p50_ms"] > 0:
            allowed = _floor(raw["p50_ms"])
            shown.append(q)
            if ours["p50_ms"] > allowed:
                over.append(f"{q} {ours['p50_ms']:.1f} vs {allowed:.1f} ms allowed")
    if shown:
        rows.append(
            (
                f"p50 ≤ max(1.3 × raw, raw + 2 ms), c={c}",
                f"within on {len(shown) - len(over)} of {len(shown)}"
                + (f"; over on {', '.join(over)}" if over else ""),
                "met" if not over else f"missed on {len(over)} of {len(shown)}",
            )
        )
    load = results["graph"]["load"]
    method = results["graph"].get("method", "online")
    if method == "offline":
        rows.append(
            (
                "initial load ≥ 200,000 rows/s (offline importer, empty store)",
                f"{load['rows_per_s']:,.0f} rows/s over {load['total_seconds']:.0f} s "
                f"({load['entities']:,} entities, {load['relationships']:,} relationships)"
                + (
                    f"; the import tool alone {load['tool_rows_per_s']:,.0f} rows/s"
                    if load.get("tool_rows_per_s")
                    else ""
                ),
                "met" if load["rows_per_s"] >= 200_000 else "missed",
            )
        )
    online = results.get("online")
    if online:
        rows.append(
            (
                "online ingestion ≥ 25,000 rows/s into the loaded store",
                f"{online['rows_per_s']:,.0f} rows/s over {online['total_seconds']:.0f} s "
                f"({online['entities']:,} entities + {online['relationships']:,} relationships "
                f"into {online['store_entities']:,} entities; {online['write_rows_per_s']:,.0f} "
                "rows/s while writing)",
                "met" if online["rows_per_s"] >= 25_000 else "missed",
            )
        )
    mem = results["memory"].get("this service")
    if mem:
        rows.append(
            (
                f"service memory < 300 MB (peak over the run, c={max(levels)} included)",
                f"peak {mem['peak_total_mb']:.0f} MB all processes "
                f"({results['args']['workers']} workers + supervisor), "
                f"{mem['peak_process_mb']:.0f} MB the largest one",
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


RESULTS = ROOT / "docs" / "bench"


def results_path(entities: int) -> Path:
    return RESULTS / f"results-{entities}.json"


def all_results() -> list[dict]:
    """Every size measured so far (docs/bench/results-<size>.json), smallest first."""
    import json

    found = [json.loads(p.read_text()) for p in RESULTS.glob("results-*.json")]
    return sorted(found, key=lambda r: r["graph"]["entities"])


def _scale(results: dict) -> str:
    g = results["graph"]
    return f"{g['entities']:,} entities / {g['meta']['relationships']:,} relationships"


def _load_lines(g: dict) -> list[str]:
    meta, load = g["meta"], g["load"]
    lines = [
        f"Generated by `bench/generate.py` (seed {g['seed']}): {meta['entities']:,} entities, "
        f"{meta['relationships']:,} relationships of {sum(1 for v in meta['relationshipsByType'].values() if v)} "
        f"types, {meta['sources']} sources. Degrees are heavy-tailed: the top 1% of entities hold "
        f"{meta['top1PercentEdgeShare']:.0%} of relationship ends; the largest hub has "
        f"{meta['topDegrees'][0][1]:,} relationships.",
        "",
    ]
    if g.get("method") == "offline":
        phases = load.get("phases") or {}
        lines.append(
            "Loaded into the empty store through Neo4j's offline importer (`graph/bulk/offline.py`, "
            "what `python -m graph.cli ingest FILE` chooses for an empty local store): "
            f"**{load['rows_per_s']:,.0f} rows/s** over {load['total_seconds']:.0f} s"
            + (
                " ("
                + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in phases.items())
                + ")"
                if phases
                else ""
            )
            + "."
        )
    else:
        lines.append(
            f"Loaded through the bulk ingestion path (`graph.bulk`, online): "
            f"{load['write_rows_per_s']:,.0f} rows/s while writing; {load['rows_per_s']:,.0f} rows/s "
            f"over the whole run including {load['check_seconds']:.0f} s of checking."
        )
    return [*lines, ""]


def _size_section(results: dict, png: Path) -> list[str]:
    m = results["machine"]
    cells = results["cells"]
    levels = sorted({c["concurrency"] for c in cells})
    systems = [s for s in NAMES if any(c["system"] == s for c in cells)]
    lines = [
        f"## {_scale(results)}",
        "",
        "```sh",
        results["command"],
        "```",
        "",
        f"- When: {results['when']} (the whole run took {results['seconds'] / 60:.0f} min). "
        f"Neo4j heap {results.get('neo4j', {}).get('heap', '?')}, page cache "
        f"{results.get('neo4j', {}).get('pagecache', '?')}.",
        f"- Load average {results['loadavg']['before'][0]:.1f} before the load generator ran "
        f"and {results['loadavg']['after'][0]:.1f} right after it (that one is the run's own "
        "load: 64 clients, the systems and Neo4j on 2 cores)"
        + (
            "; other processes were using the CPU before it started, so figures are noisier "
            "and lower than on an idle machine (the systems were measured one after the "
            "other, query by query, so they shared the noise)."
            if results["loadavg"]["before"][0] > 1.5
            else "."
        ),
        f"- Software: Python {m['python']}, Strawberry {m['strawberry']}, graphql-core "
        f"{m['graphql_core']}, uvicorn {m['uvicorn']}, neo4j driver {m['neo4j_driver']}; "
        f"Node.js {m['node']}, @neo4j/graphql {m['neo4j_graphql']}; {m['java']}; Neo4j {m['neo4j']}.",
        f"- Per cell (system × query × concurrency): {results['args']['warmup']} warm-up requests, "
        f"then {results['args']['requests']} measured ones ({max(20, results['args']['requests'] // 2)} at "
        "concurrency 1).",
        *[f"- {note}" for note in results.get("notes", [])],
        "",
        "### The graph",
        "",
        *_load_lines(results["graph"]),
        "### Targets",
        "",
        "| target | figures | |",
        "|---|---|---|",
        *[f"| {t} | {f} | {ok} |" for t, f, ok in targets(results)],
        "",
        f"![throughput and latency, {_scale(results)}](bench/{png.name})",
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
                failure = results.get("failed", {}).get(q["name"], {}).get(s)
                if cell is None and failure:
                    lines.append(
                        f"| {titles[q['name']]} | {NAMES[s]} | cannot answer: "
                        f"{failure[:140].replace('|', '/')} | | | | |"
                    )
                    continue
                if cell is None:
                    continue
                lines.append(
                    f"| {titles[q['name']]} | {NAMES[s]} | {_fmt(cell['throughput'])} | "
                    f"{_fmt(cell['p50_ms'])} | {_fmt(cell['p95_ms'])} | {_fmt(cell['p99_ms'])} | "
                    f"{cell['errors']} |"
                )
        lines.append("")
    lines += [
        "### Memory",
        "",
        *[
            f"- {name}: peak {v['peak_total_mb']:.0f} MB resident over all its processes, "
            f"{v['peak_process_mb']:.0f} MB the largest one."
            for name, v in results["memory"].items()
        ],
        "",
        "### Item counts",
        "",
        "| query | "
        + " | ".join(NAMES[s] for s in systems if s in ("ours", "neo4j-graphql"))
        + " |",
        "|---|" + "---:|" * len([s for s in systems if s in ("ours", "neo4j-graphql")]),
    ]
    for q in results["queries"]:
        items = results["items"].get(q["name"], {})
        lines.append(
            f"| {titles[q['name']]} | "
            + " | ".join(str(items.get(s, "–")) for s in systems if s in ("ours", "neo4j-graphql"))
            + " |"
        )
    t = results["targets"]
    lines += [
        "",
        f"Ids: borrower `{t['borrower']}`, hub `{t['hub']}`, path `{t['path_from']}` → "
        f"`{t['path_to']}` ({t['path_length']} hops), deep page after {t['deep_offset']:,} items.",
        "",
    ]
    return lines


def write(results: dict, out: Path) -> None:
    """Keeps this run's results (docs/bench/results-<size>.json) and its plot, and writes
    docs/benchmarks.md from every size measured."""
    import json

    RESULTS.mkdir(parents=True, exist_ok=True)
    path = results_path(results["graph"]["entities"])
    path.write_text(json.dumps(results, indent=1))
    plot(path, path.with_name(f"plot-{results['graph']['entities']}.png"))
    runs = all_results()
    m = results["machine"]
    lines = [
        "# Benchmarks",
        "",
        "This service, [@neo4j/graphql](https://neo4j.com/docs/graphql/current/) "
        f"{m['neo4j_graphql']} (Apollo Server on Node.js) and the same Cypher sent straight "
        "through the Python driver (no HTTP, no GraphQL), measured in one run per graph size "
        "on the same Neo4j and the same generated graph. Written by `bench/run.py` from "
        "`docs/bench/results-<size>.json`; do not edit by hand (what profiling showed lives in "
        "`bench/FINDINGS.md` and is copied in below).",
        "",
        "```sh",
        "make bench                          # 100,000 entities / 1,000,000 relationships",
        "make bench BENCH_SIZE=1000000       # 1,000,000 entities / 10,000,000 relationships",
        "```",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; Linux {m['kernel']}.",
        "- Everything on one machine over loopback: Neo4j, this service "
        f"({results['args']['workers']} uvicorn workers, driver pool {results['args']['pool_size']} each), "
        f"@neo4j/graphql ({results['args']['workers']} Node processes), and the load generator "
        "(`bench/loadgen.py`, asyncio over keep-alive HTTP/1.1 connections, one per concurrent "
        "client) as a separate process, which also runs the raw-driver baseline and the cached GETs.",
        "- **This service** answers each root field with one Cypher query (its whole "
        "selection compiled into nested `COLLECT` subqueries); the **raw driver** replays "
        "exactly that Cypher, captured from the service, and receives every record (the floor "
        "of this design). **@neo4j/graphql** generates its own Cypher for the nested entity, "
        "the relationship page, the filtered page and the two collection pages (an offset for "
        "the deep page: its cursors are offsets); search, the shortest path, the neighbourhood "
        "and the credit totals are `@cypher` fields running the same Cypher as this service "
        "(`bench/neo4j-graphql/typeDefs.graphql`).",
        "- **This service, cached GET** is the same query sent with GET and the `If-None-Match` "
        "of a first answer, answered `304 Not Modified` while the graph does not change (HTTP "
        "caching, docs/live-updates-and-caching.md); it is not part of the comparison.",
        "- An answer is an error when it is not HTTP 200 with `data` and no `errors` (304 for "
        "the cached GETs). Throughput is successful requests per second; latencies in ms.",
        "",
    ]
    for run in runs:
        png = results_path(run["graph"]["entities"]).with_name(
            f"plot-{run['graph']['entities']}.png"
        )
        lines += _size_section(run, png)
    if FINDINGS.exists():
        lines += [FINDINGS.read_text(encoding="utf-8").strip(), ""]
    out.write_text("\n".join(lines), encoding="utf-8")
