"""The benchmark's plot: requests/s and p50 latency per query, system and concurrency.

    .venv-bench/bin/python -m bench.plot docs/bench/results-100000.json docs/bench/plot-100000.png

Standalone (matplotlib and the results file only), so it runs in .venv-bench.
"""

from __future__ import annotations

import json
import sys

NAMES = {
    "ours": "this service",
    "neo4j-graphql": "@neo4j/graphql",
    "raw": "raw driver",
    "cached": "this service, cached GET",
}
COLOURS = {"ours": "#1f77b4", "neo4j-graphql": "#ff7f0e", "raw": "#7f7f7f", "cached": "#9ecae1"}
METRICS = (("throughput", "requests/s"), ("p50_ms", "p50 latency, ms"))


def _cell(cells: list[dict], system: str, query: str, c: int) -> dict:
    for cell in cells:
        if (cell["system"], cell["query"], cell["concurrency"]) == (system, query, c):
            return cell
    return {}


def plot(results: dict, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cells = results["cells"]
    names = [q["name"] for q in results["queries"]]
    levels = sorted({c["concurrency"] for c in cells})
    systems = [s for s in NAMES if any(c["system"] == s for c in cells)]
    fig, axes = plt.subplots(2, len(levels), figsize=(5.2 * len(levels), 8), squeeze=False)
    width = 0.8 / max(1, len(systems))
    for col, level in enumerate(levels):
        for row, (metric, label) in enumerate(METRICS):
            ax = axes[row][col]
            for i, system in enumerate(systems):
                values = [_cell(cells, system, q, level).get(metric) or 0 for q in names]
                xs = [j + (i - (len(systems) - 1) / 2) * width for j in range(len(names))]
                ax.bar(xs, values, width, label=NAMES[system], color=COLOURS[system])
            ax.set_yscale("log")
            ax.set_xticks(range(len(names)))
            ax.set_xticklabels(names, rotation=40, ha="right", fontsize=8)
            ax.set_ylabel(label)
            ax.set_title(f"{label} at concurrency {level}", fontsize=10)
            ax.grid(axis="y", alpha=0.3, which="both")
    axes[0][0].legend(fontsize=8)
    size = results["graph"]["entities"]
    rels = results["graph"]["meta"]["relationships"]
    fig.suptitle(f"{size:,} entities, {rels:,} relationships: higher is better on top, lower below")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    with open(sys.argv[1]) as f:
        plot(json.load(f), sys.argv[2])


if __name__ == "__main__":
    main()
