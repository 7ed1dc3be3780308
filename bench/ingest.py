"""Loading a generated graph into the benchmark's Neo4j through the bulk ingestion path
(graph.bulk: what `python -m graph.cli ingest FILE` runs), with its rates.

    .venv/bin/python -m bench.ingest --entities 100000     # generate if needed, load, report

Each size has its own store (data/bench/store-<entities>), which keeps a note of what it
holds (loaded.json): the same graph is not loaded twice, and a different one of the same
size (another seed or degree) replaces it (the store is wiped first, so the figures
always describe exactly the chosen graph).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench import database, generate
from graph.bulk.command import file_input
from graph.bulk.ingestion import ensure_schema, ingest
from graph.bulk.offline import Timings, offline_ingest
from graph.bulk.progress import Silent
from graph.bulk.report import IngestReport
from graph.db import Database
from graph.settings import Settings


def note_path(entities: int) -> Path:
    return database.store(entities) / "loaded.json"


def graph_file(entities: int, seed: int, degree: float) -> Path:
    return database.DATA / f"graph-{entities}-s{seed}-d{degree:g}.jsonl"


@dataclass
class LoadRates:
    file: str
    entities: int
    relationships: int
    check_seconds: float  # reading and checking the file, before the first write
    entity_seconds: float
    relationship_seconds: float
    total_seconds: float  # checking included
    # The offline importer's phases (seconds: check, files, stop, tool, start, finish).
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def entities_per_s(self) -> float:
        return self.entities / self.entity_seconds if self.entity_seconds else 0.0

    @property
    def relationships_per_s(self) -> float:
        return self.relationships / self.relationship_seconds if self.relationship_seconds else 0.0

    @property
    def write_rows_per_s(self) -> float:
        seconds = self.entity_seconds + self.relationship_seconds
        return (self.entities + self.relationships) / seconds if seconds else 0.0

    @property
    def rows_per_s(self) -> float:
        """What `graph.cli ingest` prints as its rate: rows over the whole run."""
        rows = self.entities + self.relationships
        return rows / self.total_seconds if self.total_seconds else 0.0

    def summary(self) -> str:
        return (
            f"loaded {self.entities:,} entities at {self.entities_per_s:,.0f}/s and "
            f"{self.relationships:,} relationships at {self.relationships_per_s:,.0f}/s "
            f"(writing {self.write_rows_per_s:,.0f} rows/s; {self.rows_per_s:,.0f} rows/s "
            f"over {self.total_seconds:.1f}s with {self.check_seconds:.1f}s of checking)"
        )


class _Clock(Silent):
    """Times the entity and relationship phases of a run (every entity batch commits
    before the first relationship batch is written)."""

    def __init__(self, report: IngestReport) -> None:
        self.report = report
        self.writing_at: float | None = None
        self.entities_done_at: float | None = None

    def writing(self, total: int) -> None:
        self.writing_at = time.monotonic()

    def wrote(self, rows: int) -> None:
        if self.report.relationships_written == 0:
            self.entities_done_at = time.monotonic()


async def load_file(
    cfg: Settings, path: Path, batch_size: int | None = None, fast: bool = True
) -> LoadRates:
    """`fast` false: new facts through the upserts too (graph/bulk/writer.py), to compare."""
    db = Database(cfg)
    report = IngestReport()
    clock = _Clock(report)
    started = time.monotonic()
    try:
        extra: dict = {"batch_size": batch_size} if batch_size else {}
        await ingest(
            db,
            [file_input(path)],
            by="bench",
            via="ingest",
            progress=clock,
            report=report,
            fast=fast,
            **extra,
        )
    finally:
        await db.close()
    ended = time.monotonic()
    if report.invalid or report.rejected:
        shown = [str(p) for p in report.invalid[:5]] + [str(r) for r in report.rejected[:5]]
        raise SystemExit(f"{path}: the bulk ingestion refused rows: {shown}")
    writing_at = clock.writing_at or ended
    entities_done = clock.entities_done_at or writing_at
    return LoadRates(
        file=str(path),
        entities=report.entities_written,
        relationships=report.relationships_written,
        check_seconds=report.check_seconds,
        entity_seconds=entities_done - writing_at,
        relationship_seconds=ended - entities_done,
        total_seconds=ended - started,
    )


async def load_file_offline(cfg: Settings, path: Path) -> LoadRates:
    """The same file through Neo4j's offline importer (graph/bulk/offline.py), into the
    bench store, which must be empty."""
    report, timings = IngestReport(), Timings()
    started = time.monotonic()
    await offline_ingest(
        database.local(cfg),
        cfg,
        [file_input(path)],
        by="bench",
        via="ingest",
        report=report,
        timings=timings,
    )
    ended = time.monotonic()
    if report.invalid:
        raise SystemExit(f"{path}: the bulk ingestion refused rows: {report.invalid[:5]}")
    rates = LoadRates(
        file=str(path),
        entities=report.entities_written,
        relationships=report.relationships_written,
        check_seconds=report.check_seconds,
        entity_seconds=0.0,
        relationship_seconds=0.0,
        total_seconds=ended - started,
        phases={
            "checking": timings.check,
            "CSV files": timings.files,
            "Neo4j stopped": timings.stop,
            "import tool": timings.tool,
            "Neo4j started": timings.start,
            "finished online": timings.finish,
        },
    )
    rows = rates.entities + rates.relationships
    print(
        f"  offline: {rows:,} rows: checked in {timings.check:.1f}s, files written in "
        f"{timings.files:.1f}s, Neo4j stopped in {timings.stop:.1f}s, import tool "
        f"{timings.tool:.1f}s, Neo4j started in {timings.start:.1f}s, finished online "
        f"(schema, sources, changes) in {timings.finish:.1f}s; "
        f"{rows / rates.total_seconds:,.0f} rows/s over {rates.total_seconds:.1f}s, "
        f"{rows / timings.tool:,.0f} rows/s in the import tool"
    )
    return rates


async def _refresh_schema(cfg: Settings) -> None:
    db = Database(cfg)
    try:
        await ensure_schema(db)
    finally:
        await db.close()


def loaded(entities: int) -> dict | None:
    try:
        return json.loads(note_path(entities).read_text())
    except (OSError, ValueError):
        return None


def ensure_loaded(
    entities: int, seed: int = 1, degree: float = 10.0, log=print, method: str = "offline"
) -> dict:
    """Makes the benchmark's Neo4j hold exactly the generated graph of this size (starting
    it when needed); returns the note: the graph's metadata and its load rates."""
    cfg = database.settings(entities)
    database.stop_others(entities, log=log)
    path = graph_file(entities, seed, degree)
    want = {"file": path.name, "entities": entities, "seed": seed, "degree": degree}
    note = loaded(entities)
    neo = database.local(cfg)
    if note and all(note.get(k) == v for k, v in want.items()) and neo.home.exists():
        log(f"bench Neo4j already holds {path.name}; not loading it again")
        database.start(cfg, log=log)
        # Indexes (and their backfills) added since the graph was loaded.
        asyncio.run(_refresh_schema(cfg))
        return note
    if not path.exists():
        log(f"generating {path.name} ...")
        done = generate.write(path, entities, degree, seed)
        log(
            f"  {done.entities:,} entities, {done.relationships:,} relationships in "
            f"{done.seconds:.1f}s"
        )
    if neo.home.exists():
        log("the bench store holds another graph: wiping it")
        neo.stop()
        shutil.rmtree(neo.home)
    note_path(entities).unlink(missing_ok=True)
    database.start(cfg, log=log)
    if method == "offline":
        log(f"loading {path.name} through Neo4j's offline importer (graph/bulk/offline.py) ...")
        rates = asyncio.run(load_file_offline(cfg, path))
    else:
        log(f"loading {path.name} through the bulk ingestion path (graph.bulk) ...")
        rates = asyncio.run(load_file(cfg, path))
    log("  " + rates.summary())
    meta = json.loads(Path(str(path) + ".meta.json").read_text())
    rows, tool = rates.entities + rates.relationships, rates.phases.get("import tool")
    note = {
        **want,
        "method": method,
        "meta": meta,
        "load": {
            **asdict(rates),
            "entities_per_s": rates.entities_per_s,
            "relationships_per_s": rates.relationships_per_s,
            "write_rows_per_s": rates.write_rows_per_s,
            "rows_per_s": rates.rows_per_s,
            **({"tool_rows_per_s": rows / rates.phases["import tool"]} if tool else {}),
        },
    }
    note_path(entities).write_text(json.dumps(note, indent=2))
    return note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--degree", type=float, default=10.0)
    parser.add_argument(
        "--method",
        choices=["offline", "online"],
        default="offline",
        help="offline: Neo4j's import tool (the store is emptied first); online: transactions",
    )
    args = parser.parse_args()
    note = ensure_loaded(args.entities, args.seed, args.degree, method=args.method)
    print(json.dumps(note["load"], indent=2))


if __name__ == "__main__":
    main()
