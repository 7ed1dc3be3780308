"""Logical backup and restore of the whole graph: `python -m graph.cli backup FILE` and
`python -m graph.cli restore FILE`.

The file is gzip'd JSON Lines. Its first line is a header: the format and its version,
when and from which database it was taken, the counts of nodes and relationships (and
per label and type), and the SHA-256 of everything after it. Then one line per node
(`{"n": id, "l": [labels], "p": {properties}}`), then one per relationship (`{"r": id,
"t": type, "s": start id, "e": end id, "p": {properties}}`); ids are Neo4j's internal
ids at backup time, used only to join relationships to their ends. Values JSON has no
type for (dates, datetimes, durations, points, byte arrays) are tagged
(graph.db.portable), so every property comes back with its type.

A backup reads everything (every label and relationship type, found as it goes) in one
read transaction, page by page over internal id ranges, and streams it to disk: memory
stays bounded whatever the size of the graph. Neo4j's transactions are read-committed,
not snapshots: when a write commits while the backup runs (the counts at its end differ
from those at its start, or a relationship names a node it did not see), the backup is
taken again, and given up after a few tries.

A restore writes only into an empty database. It reads the file twice: first to check
it whole (header, checksum, counts, and that every label and relationship type is one
the service declares), then to write it, in batches of one transaction each.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import json
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from graph.bulk.ingestion import ensure_schema, migrate_claims
from graph.cypher import backup as q
from graph.cypher import version
from graph.db import Database, ReadTransaction, from_portable, portable
from graph.errors import GraphError

FORMAT = "ip-finance-graph-backup"
VERSION = 1
PAGE_SPAN = 5000  # internal ids per page read
BATCH_SIZE = 5000  # rows per restore transaction
ATTEMPTS = 3  # backups taken before giving up on a graph that keeps changing
READ_TIMEOUT_S = 6 * 3600.0
WRITE_TIMEOUT_S = 300.0
_PROGRESS_EVERY_S = 2.0


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for a person."""


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Progress:
    """`what: done/total (rate)` on stderr, at most every two seconds, and at the end."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.what, self.total, self.done = "", 0, 0
        self.started = self.last = time.monotonic()

    def start(self, what: str, total: int) -> None:
        self.what, self.total, self.done = what, total, 0
        self.started = self.last = time.monotonic()

    def advance(self, rows: int = 1) -> None:
        self.done += rows
        now = time.monotonic()
        if now - self.last >= _PROGRESS_EVERY_S:
            self.last = now
            self._line(now)

    def finish(self) -> None:
        self._line(time.monotonic())

    def _line(self, now: float) -> None:
        took = max(now - self.started, 1e-9)
        share = f" ({100 * self.done / self.total:.0f}%)" if self.total else ""
        self.say(
            f"{self.what}: {self.done:,}/{self.total:,}{share}, "
            f"{self.done / took:,.0f} rows/s, {took:.1f}s"
        )


@dataclass
class Summary:
    path: Path
    nodes: int = 0
    relationships: int = 0
    labels: Counter = field(default_factory=Counter)
    types: Counter = field(default_factory=Counter)
    sha256: str = ""
    seconds: float = 0.0
    attempts: int = 1

    @property
    def rows(self) -> int:
        return self.nodes + self.relationships


def _line(data: dict[str, Any]) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE)


def _props(props: dict[str, Any]) -> dict[str, Any]:
    return {key: portable(value) for key, value in props.items()}


class _Changed(Exception):
    """The graph changed while it was read."""


class _Seen:
    """Which internal node ids a backup has written: a bitmap, an eighth of a byte each."""

    def __init__(self, max_id: int) -> None:
        self.bits = bytearray(max_id // 8 + 1)

    def add(self, i: int) -> None:
        if i // 8 >= len(self.bits):
            raise _Changed(f"node {i} was created after the backup started")
        self.bits[i // 8] |= 1 << (i % 8)

    def __contains__(self, i: int) -> bool:
        return i // 8 < len(self.bits) and bool(self.bits[i // 8] & (1 << (i % 8)))


async def _read_into(
    tx: ReadTransaction, out: gzip.GzipFile, summary: Summary, progress: Progress, span: int
) -> None:
    """Writes every node, then every relationship, as body lines to `out`, hashing them."""
    digest = hashlib.sha256()
    [counts] = [row async for row in tx.rows(q.COUNTS)]
    seen = _Seen(counts["maxNode"])

    def emit(data: dict[str, Any]) -> None:
        line = _line(data)
        digest.update(line)
        out.write(line)

    progress.start("backup: nodes", counts["nodes"])
    for first in range(0, counts["maxNode"] + 1, span):
        async for row in tx.rows(q.node_page(first, span)):
            labels = sorted(row["labels"])
            seen.add(row["i"])
            emit({"n": row["i"], "l": labels, "p": _props(row["props"])})
            summary.nodes += 1
            summary.labels.update(labels)
            progress.advance()
    progress.finish()
    progress.start("backup: relationships", counts["relationships"])
    for first in range(0, counts["maxRel"] + 1, span):
        async for row in tx.rows(q.relationship_page(first, span)):
            for end in (row["start"], row["end"]):
                if end not in seen:
                    raise _Changed(f"relationship {row['i']} joins node {end}, not read")
            emit(
                {
                    "r": row["i"],
                    "t": row["type"],
                    "s": row["start"],
                    "e": row["end"],
                    "p": _props(row["props"]),
                }
            )
            summary.relationships += 1
            summary.types[row["type"]] += 1
            progress.advance()
    progress.finish()
    [after] = [row async for row in tx.rows(q.QUICK_COUNTS)]
    read = (summary.nodes, summary.relationships)
    if (after["nodes"], after["relationships"]) != read or (
        counts["nodes"],
        counts["relationships"],
    ) != read:
        raise _Changed(
            f"read {read[0]} nodes and {read[1]} relationships; the graph held "
            f"{counts['nodes']}/{counts['relationships']} at the start and "
            f"{after['nodes']}/{after['relationships']} at the end"
        )
    summary.sha256 = digest.hexdigest()


async def backup(
    db: Database,
    path: Path,
    *,
    say: Callable[[str], None] = _say,
    span: int = PAGE_SPAN,
    attempts: int = ATTEMPTS,
    timeout_s: float = READ_TIMEOUT_S,
) -> Summary:
    """Writes the whole graph to `path` (replaced only once the backup is complete)."""
    path = Path(path)
    body_path = path.with_name(path.name + ".body.partial")
    partial = path.with_name(path.name + ".partial")
    started = time.monotonic()
    progress = Progress(say)
    try:
        for attempt in range(1, attempts + 1):
            summary = Summary(path, attempts=attempt)
            taken_at = dt.datetime.now(dt.UTC)
            try:
                with gzip.open(body_path, "wb", compresslevel=3) as body:
                    async with db.read_transaction(timeout_s) as tx:
                        await _read_into(tx, body, summary, progress, span)
                break
            except _Changed as changed:
                if attempt == attempts:
                    raise BackupError(
                        f"The graph kept changing while it was read ({changed}); "
                        f"{attempts} attempts. Run the backup again when writes are quieter."
                    ) from changed
                say(f"backup: the graph changed while it was read ({changed}); again")
        labels = allowed_or_not(summary.labels, summary.types)
        header = {
            "format": FORMAT,
            "version": VERSION,
            "takenAt": taken_at.isoformat(),
            "database": db.database,
            "nodes": summary.nodes,
            "relationships": summary.relationships,
            "labels": dict(sorted(summary.labels.items())),
            "types": dict(sorted(summary.types.items())),
            "sha256": summary.sha256,
        }
        # The header is a gzip member of its own, followed by the body's (gzip readers
        # read concatenated members as one stream): the body is not compressed twice.
        with partial.open("wb") as out:
            out.write(gzip.compress(_line(header)))
            with body_path.open("rb") as body_in:
                shutil.copyfileobj(body_in, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
        if labels:
            say(f"backup: warning: {labels}; restore refuses such a file")
    finally:
        with contextlib.suppress(FileNotFoundError):
            body_path.unlink()
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    summary.seconds = time.monotonic() - started
    return summary


def allowed_or_not(labels: Counter | dict, types: Counter | dict) -> str:
    """'' when every label and relationship type is allowed, else what is not."""
    bad_labels = sorted(set(labels) - q.allowed_labels())
    bad_types = sorted(set(types) - q.allowed_types())
    problems = []
    if bad_labels:
        problems.append(f"labels {bad_labels} are not declared (graph/domain) nor internal")
    if bad_types:
        problems.append(f"relationship types {bad_types} are not declared nor internal")
    return "; ".join(problems)


# --- Restore ------------------------------------------------------------------------------


def _open(path: Path) -> tuple[dict[str, Any], Iterator[bytes], gzip.GzipFile]:
    stream = gzip.open(path, "rb")  # noqa: SIM115 (closed by the caller)
    try:
        header = json.loads(stream.readline())
    except (OSError, EOFError, ValueError) as exc:
        stream.close()
        raise BackupError(f"{path} is not a backup of this service: {exc}") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        stream.close()
        raise BackupError(f"{path} is not a backup of this service (no {FORMAT} header)")
    if header.get("version") != VERSION:
        stream.close()
        raise BackupError(
            f"{path} is format version {header.get('version')}; this service reads {VERSION}"
        )
    return header, iter(stream), stream


def check_file(path: Path, say: Callable[[str], None] = _say) -> dict[str, Any]:
    """Reads the whole file without writing anything: the header, every line's shape,
    the checksum and counts, and the allow-list. Returns the header."""
    header, lines, stream = _open(path)
    digest = hashlib.sha256()
    labels: Counter = Counter()
    types: Counter = Counter()
    nodes = relationships = 0
    progress = Progress(say)
    progress.start("restore: checking", header.get("nodes", 0) + header.get("relationships", 0))
    try:
        for number, line in enumerate(lines, 2):
            digest.update(line)
            try:
                row = orjson.loads(line)
                if "n" in row:
                    if relationships:
                        raise ValueError("a node after the relationships")
                    labels.update(row["l"])
                    nodes += 1
                else:
                    types[row["t"]] += 1
                    relationships += 1
                    int(row["s"]), int(row["e"])
                if not isinstance(row["p"], dict):
                    raise ValueError("properties must be an object")
            except (orjson.JSONDecodeError, ValueError, KeyError, TypeError) as exc:
                raise BackupError(
                    f"{path}, line {number}: not a node or relationship ({exc})"
                ) from exc
            progress.advance()
    except (OSError, EOFError) as exc:
        raise BackupError(f"{path} is damaged: {exc}") from exc
    finally:
        stream.close()
    progress.finish()
    if digest.hexdigest() != header.get("sha256"):
        raise BackupError(f"{path} is damaged: its checksum does not match its header")
    if (nodes, relationships) != (header.get("nodes"), header.get("relationships")):
        raise BackupError(
            f"{path} holds {nodes} nodes and {relationships} relationships; "
            f"its header says {header.get('nodes')} and {header.get('relationships')}"
        )
    refused = allowed_or_not(labels, types)
    if refused:
        raise BackupError(f"{path} cannot be restored: {refused}")
    return header


async def _write(db: Database, cypher: tuple[Any, dict[str, Any]], expected: int) -> None:
    async def work(tx: Any) -> int:
        [row] = await tx.run(cypher)
        return row["made"]

    # The file brings its own graph version node; the count goes on after (`restore`).
    made = await db.transaction(work, timeout_s=WRITE_TIMEOUT_S, advance=False)
    if made != expected:
        raise BackupError(
            f"a batch of {expected} made {made}: a relationship's end is missing from the file"
        )


async def restore(
    db: Database,
    path: Path,
    *,
    say: Callable[[str], None] = _say,
    batch_size: int = BATCH_SIZE,
) -> Summary:
    """Rebuilds the graph of `path` into the configured database, which must be empty."""
    started = time.monotonic()
    path = Path(path)
    header = check_file(path, say)
    [counts] = await db.read(q.QUICK_COUNTS)
    if counts["nodes"]:
        raise BackupError(
            f"The database {db.database!r} at {db.settings.bolt_uri} holds "
            f"{counts['nodes']:,} nodes: restore writes only into an empty database. "
            "Point NEO4J_URI/NEO4J_DATABASE (or DATA_DIR for the local Neo4j) at an empty one."
        )
    await ensure_schema(db)
    await db.write((q.RESTORE_INDEX_CREATE, {}))
    await db.write(("CALL db.awaitIndexes(300)", {}))
    summary = Summary(path, sha256=header["sha256"])
    progress = Progress(say)
    nodes: dict[tuple[str, ...], list[dict]] = {}
    rels: dict[str, list[dict]] = {}

    async def flush_nodes(labels: tuple[str, ...]) -> None:
        rows = nodes.pop(labels)
        await _write(db, q.create_nodes(labels, rows), len(rows))
        progress.advance(len(rows))

    async def flush_rels(rel_type: str) -> None:
        rows = rels.pop(rel_type)
        await _write(db, q.create_relationships(rel_type, rows), len(rows))
        progress.advance(len(rows))

    _, lines, stream = _open(path)
    progress.start("restore: nodes", header["nodes"])
    in_relationships = False
    try:
        for line in lines:
            row = orjson.loads(line)
            props = {key: from_portable(value) for key, value in row["p"].items()}
            if "n" in row:
                labels = tuple(row["l"])
                nodes.setdefault(labels, []).append({"i": row["n"], "p": props})
                summary.nodes += 1
                summary.labels.update(labels)
                if len(nodes[labels]) >= batch_size:
                    await flush_nodes(labels)
                continue
            if not in_relationships:
                # Every node is written before the first relationship looks for its ends.
                for labels in list(nodes):
                    await flush_nodes(labels)
                progress.finish()
                progress.start("restore: relationships", header["relationships"])
                in_relationships = True
            rels.setdefault(row["t"], []).append({"s": row["s"], "e": row["e"], "p": props})
            summary.relationships += 1
            summary.types[row["t"]] += 1
            if len(rels[row["t"]]) >= batch_size:
                await flush_rels(row["t"])
        for labels in list(nodes):
            await flush_nodes(labels)
        for rel_type in list(rels):
            await flush_rels(rel_type)
    except (GraphError, BackupError) as exc:
        message = exc.message if isinstance(exc, GraphError) else str(exc)
        raise BackupError(
            f"The restore stopped ({message}); the database holds part of the file: "
            "empty it before restoring again."
        ) from exc
    finally:
        stream.close()
    progress.finish()
    while True:
        [done] = await db.write(q.finish_restore(10_000))
        if done["done"] == 0:
            break
    await db.write((q.RESTORE_INDEX_DROP, {}))
    [after] = await db.read(q.QUICK_COUNTS)
    if (after["nodes"], after["relationships"]) != (header["nodes"], header["relationships"]):
        raise BackupError(
            f"restored {after['nodes']} nodes and {after['relationships']} relationships; "
            f"the file holds {header['nodes']} and {header['relationships']}"
        )
    # A new epoch: caches holding answers of the backed-up graph's versions must not take
    # this graph, which goes on from there, for it (graph/cypher/version.py).
    await db.write((version.RENEW, {}))
    await migrate_claims(db)  # a backup of a store from before claims
    summary.seconds = time.monotonic() - started
    return summary
