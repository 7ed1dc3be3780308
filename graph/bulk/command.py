"""`python -m graph.cli ingest FILE [FILE...]`: check files of facts, write them, report.

Exit codes: 0 every row written; 1 rows were invalid (nothing written without
--skip-invalid) or refused by the database; 2 a usage error (no such file, a file of an
unknown kind, an unreadable --source-file); 3 Neo4j cannot be reached or went away
part-way (what was committed stays: run the same command again to complete);
130 interrupted (likewise).
"""

from __future__ import annotations

import asyncio
import getpass
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from rich.console import Console

from graph.bulk.csvfile import read_csv
from graph.bulk.ingestion import ingest
from graph.bulk.jsonl import read_jsonl
from graph.bulk.offline import OfflineRefused, is_empty, offline_ingest
from graph.bulk.progress import progress_for
from graph.bulk.records import SOURCE, Input, Problem, Record, UsageError
from graph.bulk.report import IngestReport
from graph.bulk.snapshot import Snapshot
from graph.db import Database
from graph.errors import GraphError, ServiceUnavailable
from graph.local_neo4j import LocalNeo4j
from graph.settings import Settings

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_UNAVAILABLE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
AUTO, ONLINE, OFFLINE = "auto", "online", "offline"  # --method
SHOWN = 50  # problems listed; the rest are counted


def default_by() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def file_input(path: Path) -> Input:
    """The file, read once now: checking and writing both read this snapshot of it, so
    what is written is exactly what was checked, whatever happens to the file meanwhile."""
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    suffix = path.suffix.lower()
    jsonl = suffix in (".jsonl", ".ndjson")
    if not jsonl and suffix != ".csv":
        raise UsageError(f"{path}: not a .jsonl, .ndjson or .csv file")
    reader = read_jsonl if jsonl else read_csv
    try:
        snapshot = Snapshot(path)
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror}") from exc
    name = str(path)

    def span(first: int, last: int) -> Iterator[Record | Problem]:
        return read_jsonl(path, name, snapshot.open, first, last)

    return Input(
        name,
        lambda: reader(path, name, snapshot.open),
        close=snapshot.close,
        read_span=span if jsonl else None,
    )


def source_file_input(path: Path) -> Input:
    """A JSON file of one source object or a list of them."""
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--source-file {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise UsageError(f"--source-file {path}: not valid JSON ({exc})") from exc
    sources = loaded if isinstance(loaded, list) else [loaded]

    def read() -> Iterator[Record]:
        for i, source in enumerate(sources):
            label = f"{path} [{i}]" if isinstance(loaded, list) else str(path)
            yield Record(SOURCE, source, i + 1, label)

    return Input(str(path), read)


def _print_summary(out: Console, report: IngestReport) -> None:
    rate = report.rows_written / report.seconds if report.seconds else 0.0
    out.print(
        f"entities: {report.entities_created} created, {report.entities_updated} updated, "
        f"{report.entities_unchanged} unchanged\n"
        f"relationships: {report.relationships_created} created, "
        f"{report.relationships_updated} updated, {report.relationships_unchanged} unchanged\n"
        f"rejected: {len(report.rejected)}\n"
        f"invalid: {report.invalid_rows} rows\n"
        f"sources: {report.sources_written}\n"
        f"rate: {report.rows_written} rows in {report.seconds:.1f}s "
        f"(checked in {report.check_seconds:.1f}s): {rate:,.0f} rows/s",
        highlight=False,
        soft_wrap=True,
    )


def _print_list(err: Console, title: str, lines: list[str]) -> None:
    err.print(title, highlight=False, markup=False, soft_wrap=True)
    for line in lines[:SHOWN]:
        err.print(f"  {line}", highlight=False, markup=False, soft_wrap=True)
    if len(lines) > SHOWN:
        err.print(f"  ... and {len(lines) - SHOWN} more", highlight=False)


async def _run(
    settings: Settings,
    inputs: list[Input],
    report: IngestReport,
    err: Console,
    *,
    batch_size: int,
    skip_invalid: bool,
    by: str,
    method: str,
) -> None:
    db = Database(_for_bulk(settings))
    try:
        if not await db.ping():
            raise ServiceUnavailable(db.not_answering())
        refusal = await _offline_refusal(settings, db) if method != ONLINE else ""
        if method == OFFLINE and refusal:
            raise UsageError(f"--method offline: {refusal}")
        progress = progress_for(err)
        try:
            if method != ONLINE and not refusal:
                await db.close()
                await offline_ingest(
                    LocalNeo4j(settings),
                    _for_bulk(settings),
                    inputs,
                    by=by,
                    via="ingest",
                    skip_invalid=skip_invalid,
                    progress=progress,
                    report=report,
                    say=lambda message: err.print(message, highlight=False, soft_wrap=True),
                )
                return
            await ingest(
                db,
                inputs,
                by=by,
                via="ingest",
                batch_size=batch_size,
                skip_invalid=skip_invalid,
                progress=progress,
                report=report,
            )
        finally:
            progress.close()
    finally:
        await db.close()


async def _offline_refusal(settings: Settings, db: Database) -> str:
    """Why the offline importer cannot load this run ("" when it can): it builds a store
    from nothing, on this machine, so the Neo4j must be the local one and empty."""
    if not settings.uses_local_neo4j:
        return "NEO4J_URI names a Neo4j this command does not run (the importer needs its files)"
    if LocalNeo4j(settings).running_pid() is None:
        return "the Neo4j answering is not this data directory's"
    if not await is_empty(db):
        return "the store is not empty (the importer builds a store from nothing)"
    return ""


def run(
    settings: Settings,
    files: list[Path],
    *,
    batch_size: int,
    skip_invalid: bool,
    source_file: Path | None,
    by: str | None,
    method: str = AUTO,
) -> int:
    """`method`: AUTO (the offline importer for an empty local store, else online),
    ONLINE or OFFLINE (refused, exit 2, when the store cannot take it)."""
    out, err = Console(), Console(stderr=True)
    # The driver logs each retry while Neo4j is away; what to do is said below instead.
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    inputs: list[Input] = []
    try:
        if source_file:
            inputs.append(source_file_input(source_file))
        for path in files:
            inputs.append(file_input(path))
    except UsageError as exc:
        for made in inputs:
            made.close()
        err.print(f"error: {exc}", highlight=False, markup=False, soft_wrap=True)
        return EXIT_USAGE
    try:
        return _ingest(settings, inputs, out, err, batch_size, skip_invalid, by, method)
    finally:
        for made in inputs:
            made.close()


def _ingest(
    settings: Settings,
    inputs: list[Input],
    out: Console,
    err: Console,
    batch_size: int,
    skip_invalid: bool,
    by: str | None,
    method: str,
) -> int:
    report = IngestReport()
    resume = "What was committed stays; run the same command again to complete."
    try:
        asyncio.run(
            _run(
                settings,
                inputs,
                report,
                err,
                batch_size=batch_size,
                skip_invalid=skip_invalid,
                by=by or default_by(),
                method=method,
            )
        )
    except UsageError as exc:
        err.print(f"error: {exc}", highlight=False, markup=False, soft_wrap=True)
        return EXIT_USAGE
    except OfflineRefused as exc:
        err.print(
            f"The offline importer cannot load this input: {exc}. Nothing was written; "
            "run again with --method online.",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.print(
            f"Interrupted after {report.rows_written} rows. {resume}",
            highlight=False,
            soft_wrap=True,
        )
        return EXIT_INTERRUPTED
    except ServiceUnavailable as exc:
        written = f" after {report.rows_written} rows. {resume}" if report.rows_written else ""
        err.print(
            f"Stopped: {exc.message}{written}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        return EXIT_UNAVAILABLE
    except GraphError as exc:
        err.print(
            f"Stopped after {report.rows_written} rows: {exc.message} (see the Neo4j log). "
            f"{resume}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        return EXIT_INVALID

    problems = [str(p) for p in report.invalid]
    if problems:
        title = f"{report.invalid_rows} invalid rows ({len(problems)} problems):"
        _print_list(err, title, problems)
    if report.invalid and not skip_invalid:
        err.print(
            "Nothing was written. Fix these rows, or pass --skip-invalid to write the others.",
            highlight=False,
            soft_wrap=True,
        )
        return EXIT_INVALID
    if report.rejected:
        refused = [f"{r.get('where', '?')}: {r['reason']}" for r in report.rejected]
        _print_list(err, f"{len(refused)} rows refused by the database:", refused)
    _print_summary(out, report)
    return EXIT_INVALID if report.invalid or report.rejected else EXIT_OK


def _for_bulk(settings: Settings) -> Settings:
    """Look-ups of a whole file's ids, and waiting for new indexes, may take longer than an
    API query."""
    return replace(settings, query_timeout_s=max(settings.query_timeout_s, 120.0))
