"""The first load of an empty local store through Neo4j's own offline importer
(`neo4j-admin database import full`, whose jars come with the Neo4j that Maven resolves
into launcher/target/lib): many times faster than transactions, for the same graph.

1. The files are checked exactly as for an online run (graph/bulk/ingestion.py).
2. Every entity and relationship is folded into the state the upserts would leave
   (graph/bulk/fold.py) and written to CSV files in the import tool's format, one file per
   label (or type) and set of property types; facts named by one record (nearly all) are
   streamed, the few repeated ones folded in memory first.
3. Neo4j is stopped (when it runs), the tool builds the store, Neo4j starts again.
4. What the tool cannot make is written online, in one transaction: the sources, the
   Change records that every fact's `_changes` names (one per kind or type and action),
   the conflicts, list properties that are empty; then the constraints and indexes
   (full-text included), as on every start.

`tests/test_offline_import.py` loads one file both ways and compares the graphs.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from graph.bulk import fold
from graph.bulk.check import Checked
from graph.bulk.ingestion import check_inputs, rows_of, write_schema
from graph.bulk.progress import Silent
from graph.bulk.records import ENTITY, RELATIONSHIP, Input
from graph.bulk.report import IngestReport, change_record
from graph.bulk.writer import ENTITIES, RELATIONSHIPS
from graph.cypher import duplicates, writes
from graph.cypher import offline as q
from graph.db import Database
from graph.domain import ENTITY_LABEL, Kind
from graph.facts import source_row
from graph.local_neo4j import JVM_FLAGS, LAUNCHER_JAR, LIB_DIR, LocalNeo4j
from graph.matching.names import KEYS_VERSION
from graph.settings import Settings

ARRAY = "\x1d"  # between the items of a list (group separator: in no text we store)
ID_SPACE = ENTITY_LABEL
IMPORT_HEAP = os.environ.get("IMPORT_HEAP", "2g")
FINISH_S = 1800.0  # building the indexes of 10^6 entities and 10^7 relationships


class OfflineRefused(Exception):
    """The offline importer cannot carry this input (the online path can)."""


# ------------------------------------------------------------------ CSV cells

# The import tool's type of each Python value the fold leaves (a list: of its items').
_TYPES: dict[type, str] = {
    bool: "boolean",
    int: "long",
    float: "double",
    str: "string",
    dt.date: "date",
    dt.datetime: "datetime",
}


def _type_of(value: Any) -> str:
    kind = _TYPES.get(type(value))
    if kind is not None:
        return kind
    if type(value) is list and value:
        item = type(value[0])
        if item in _TYPES and all(type(v) is item for v in value):
            return _TYPES[item] + "[]"
    raise OfflineRefused(f"a value the import tool cannot store as given: {value!r}")


def _text(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return value
    if kind is bool:
        return "true" if value else "false"
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise OfflineRefused(f"a number the import tool cannot read: {value!r}")
        return repr(value)
    if kind is int:
        return str(value)
    return value.isoformat()


def _cell(value: Any) -> str:
    """One field (the csv module quotes it); a list's items joined by ARRAY."""
    if type(value) is str:
        if ARRAY in value:
            raise OfflineRefused("a text holding the character U+001D")
        return value
    if type(value) is list:
        text = ARRAY.join([v if type(v) is str else _text(v) for v in value])
        if text.count(ARRAY) != len(value) - 1:
            raise OfflineRefused("a text holding the character U+001D")
        return text
    return _text(value)


# ------------------------------------------------------------------ the files


@dataclass
class _Files:
    """CSV files by (label or type, properties and their types), each with its header.
    Every field is quoted (the tool reads quoted numbers, dates and booleans as typed),
    so an empty text stays an empty text."""

    folder: Path
    relationships: bool
    open: dict[tuple, tuple[TextIO, Any]] = field(default_factory=dict)
    shapes: dict[tuple, tuple] = field(default_factory=dict)  # (group, keys, types) -> key
    paths: list[Path] = field(default_factory=list)

    def _writer(self, group: str, names: tuple[str, ...], fact: dict[str, Any]) -> Any:
        shape = (group, names, tuple(type(fact[k]) for k in names))
        key = self.shapes.get(shape)
        if key is None:  # lists' item types are looked at once per shape of fact
            key = self.shapes[shape] = (group, tuple((k, _type_of(fact[k])) for k in names))
        handle = self.open.get(key)
        if handle is None:
            path = self.folder / f"{'r' if self.relationships else 'n'}{len(self.paths)}.csv"
            made: TextIO = path.open("w", encoding="utf-8", newline="")
            writer = csv.writer(made, quoting=csv.QUOTE_ALL, lineterminator="\n")
            if self.relationships:
                head = [f":START_ID({ID_SPACE})", f":END_ID({ID_SPACE})", ":TYPE"]
            else:
                head = [f"id:ID({ID_SPACE})", ":LABEL"]
            writer.writerow(head + [f"{k}:{t}" for k, t in key[1]])
            handle = self.open[key] = (made, writer)
            self.paths.append(path)
        return handle[1]

    def write(self, group: str, fact: dict[str, Any], ends: tuple[str, str] | None) -> None:
        names = tuple(sorted(k for k in fact if k != "id"))
        writer = self._writer(group, names, fact)
        if ends is not None:
            head = [ends[0], ends[1], group]
        else:
            head = [fact["id"], f"{ENTITY_LABEL}{ARRAY}{group}"]
        writer.writerow(head + [_cell(fact[k]) for k in names])

    def close(self) -> None:
        for out, _ in self.open.values():
            out.close()


@dataclass
class _Fold:
    """The run's folding: counts for the report, the Change ids each group's facts name,
    the conflicts, and the empty lists the tool cannot store."""

    via: str
    changes: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    counts: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    provenance: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    conflicts: dict[str, fold.Conflict] = field(default_factory=dict)
    empty: list[dict[str, Any]] = field(default_factory=list)

    def ids(self, target: str, group: str) -> dict[str, str]:
        key = (target, group)
        if key not in self.changes:
            self.changes[key] = {"create": str(uuid.uuid4()), "update": str(uuid.uuid4())}
            self.counts[key] = {"written": 0, "created": 0, "updated": 0}
            self.provenance[key] = set()
        return self.changes[key]

    def count(self, target: str, group: str, row: dict, written: fold.Written) -> None:
        counts = self.counts[(target, group)]
        counts["written"] += 1
        counts["created"] += written.created
        counts["updated"] += written.changed and not written.created
        self.provenance[(target, group)].update(row["prov"])
        for conflict in written.conflicts:
            self.conflicts[conflict.id] = conflict

    def storable(self, fact: dict[str, Any], where: dict[str, Any]) -> dict[str, Any]:
        """`fact` without its empty lists, which are kept to be set online."""
        empty = {k: v for k, v in fact.items() if isinstance(v, list) and not v}
        if not empty:
            return fact
        self.empty.append({**where, "props": empty})
        return {k: v for k, v in fact.items() if k not in empty}


def _fold_all(
    inputs: list[Input], checked: Checked, run: _Fold, nodes: _Files, rels: _Files, progress
) -> None:
    """Every valid row, in one read of the inputs (the fold of a relationship needs
    nothing of its ends: they were checked to exist); facts named once are written at
    once, repeated ones once all their rows are folded."""
    entities: dict[str, tuple[str, dict[str, Any]]] = {}
    relationships: dict[tuple[str, str, str], dict[str, Any]] = {}
    repeated = checked.repeated
    for row in rows_of(inputs, checked, ENTITY, RELATIONSHIP):
        data = row.data
        if row.target == ENTITIES:
            kind = Kind(row.group)
            before = entities.get(data["id"], (None, None))[1]
            ids = run.ids(ENTITIES, kind.value)
            fact, written = fold.entity(before, kind.value, data, run.via, ids)
            run.count(ENTITIES, kind.value, data, written)
            if data["id"] in repeated:
                entities[data["id"]] = (kind.label, fact)
            else:
                nodes.write(kind.label, run.storable(fact, {"id": data["id"]}), None)
        else:
            rel_type = str(row.group)
            key = (data["from"], rel_type, data["to"])
            ids = run.ids(RELATIONSHIPS, rel_type)
            fact, written = fold.relationship(relationships.get(key), rel_type, data, run.via, ids)
            run.count(RELATIONSHIPS, rel_type, data, written)
            if key in repeated:
                relationships[key] = fact
            else:
                where = {"from": key[0], "type": rel_type, "to": key[2]}
                rels.write(rel_type, run.storable(fact, where), (key[0], key[2]))
        progress.wrote(1)
    for entity_id, (label, fact) in entities.items():
        nodes.write(label, run.storable(fact, {"id": entity_id}), None)
    for (start, rel_type, end), fact in relationships.items():
        where = {"from": start, "type": rel_type, "to": end}
        rels.write(rel_type, run.storable(fact, where), (start, end))


# ------------------------------------------------------------------ the import tool


def import_tool(neo4j: LocalNeo4j, nodes: list[Path], relationships: list[Path]) -> str:
    """Runs `neo4j-admin database import full` on the stopped store; returns its report."""
    java = shutil.which("java")
    if java is None:
        raise OfflineRefused("Java 17 is needed to run Neo4j's import tool")
    conf = neo4j.home / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "neo4j.conf").touch()
    cmd = [
        java,
        f"-Xmx{IMPORT_HEAP}",
        *JVM_FLAGS,
        "-cp",
        f"{LIB_DIR}/*:{LAUNCHER_JAR}",
        "org.neo4j.cli.AdminTool",
        "database",
        "import",
        "full",
        "neo4j",  # first: a trailing name would be read as one more file
        f"--array-delimiter={ARRAY}",
        "--multiline-fields=true",
        "--overwrite-destination=true",
        "--report-file=" + str(neo4j.home / "logs" / "import.report"),
        *[f"--nodes={p}" for p in nodes],
        *[f"--relationships={p}" for p in relationships],
    ]
    env = {**os.environ, "NEO4J_HOME": str(neo4j.home), "NEO4J_CONF": str(conf)}
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        said = [x for x in (done.stdout + done.stderr).splitlines() if not x.startswith("\tat ")]
        raise RuntimeError("Neo4j's import tool failed:\n" + "\n".join(said[-15:]))
    return done.stdout


def _discard(neo4j: LocalNeo4j) -> None:
    """What a failed import left of the default database: Neo4j makes it anew, empty."""
    data = neo4j.home / "data"
    for part in (data / "databases" / "neo4j", data / "transactions" / "neo4j"):
        shutil.rmtree(part, ignore_errors=True)


# ------------------------------------------------------------------ the run


@dataclass
class Timings:
    """Seconds per phase of an offline load."""

    check: float = 0.0
    files: float = 0.0
    stop: float = 0.0  # Neo4j stopping
    tool: float = 0.0  # the import tool alone
    start: float = 0.0  # Neo4j starting on the new store
    finish: float = 0.0


async def is_empty(db: Database) -> bool:
    """Nothing in the store but, at most, its version node."""
    [row] = await db.read(q.EMPTY)
    return bool(row["empty"])


async def offline_ingest(
    neo4j: LocalNeo4j,
    settings: Settings,
    inputs: list[Input],
    *,
    by: str,
    via: str,
    skip_invalid: bool = False,
    progress: Silent | None = None,
    report: IngestReport | None = None,
    timings: Timings | None = None,
    say=print,
) -> IngestReport:
    """Checks against the running local store (`neo4j`, which must be empty; `settings`
    reach it), builds the files, stops Neo4j, imports, starts it again and finishes
    online. Nothing is imported when a row is invalid; the report says why, as online."""
    progress = progress or Silent()
    report = report if report is not None else IngestReport()
    timings = timings if timings is not None else Timings()
    started = time.monotonic()
    db = Database(settings)
    try:
        if not await is_empty(db):
            raise OfflineRefused("the store is not empty")
        checked = await check_inputs(db, inputs, progress)
    finally:
        await db.close()
    report.invalid, report.invalid_rows = checked.problems, checked.invalid_rows
    report.check_seconds = timings.check = time.monotonic() - started
    if checked.problems and not skip_invalid:
        report.seconds = time.monotonic() - started
        return report

    change = change_record(by, via)
    run = _Fold(via)
    mark = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="import-", dir=settings.data_dir))
    try:
        node_files, rel_files = _Files(folder, False), _Files(folder, True)
        progress.writing(checked.valid_rows)
        try:
            _fold_all(inputs, checked, run, node_files, rel_files, progress)
        finally:
            node_files.close()
            rel_files.close()
        timings.files = time.monotonic() - mark

        say("The store is empty: loading it with Neo4j's offline importer (Neo4j stops meanwhile).")
        mark = time.monotonic()
        neo4j.stop()
        timings.stop = time.monotonic() - mark
        mark = time.monotonic()
        try:
            import_tool(neo4j, node_files.paths, rel_files.paths)
        except BaseException:
            _discard(neo4j)  # the store was empty: it is again
            neo4j.start(log=lambda *_: None)
            raise
        timings.tool = time.monotonic() - mark
        mark = time.monotonic()
        neo4j.start(log=lambda *_: None)
        timings.start = time.monotonic() - mark
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    mark = time.monotonic()
    # Indexes and constraints are built over the whole store now: allow them the time.
    db = Database(replace(settings, query_timeout_s=max(settings.query_timeout_s, FINISH_S)))
    try:
        await write_schema(db)
        await _finish(db, checked, run, change)
        await db.write(duplicates.record_keys_version(KEYS_VERSION))
    finally:
        await db.close()
    timings.finish = time.monotonic() - mark
    report.sources_written = len(checked.sources)
    for (target, _group), counts in run.counts.items():
        report.add(target, {**counts, "rejected": []})
    report.seconds = time.monotonic() - started
    return report


async def _finish(db: Database, checked: Checked, run: _Fold, change: dict[str, Any]) -> None:
    """Online, one transaction: sources, Change records, conflicts, empty lists."""
    records = []
    for (target, group), ids in run.changes.items():
        counts = run.counts[(target, group)]
        updated = counts["updated"]
        for action, count in (("create", counts["created"]), ("update", updated)):
            if count:
                records.append(
                    {
                        "id": ids[action],
                        "at": change["at"],
                        "by": change["by"],
                        "via": change["via"],
                        "action": action,
                        "target": "entity" if target == ENTITIES else "relationship",
                        "type": group,
                        "count": count,
                        "note": f"offline import: {counts['written']} {group} rows",
                        "provenance": sorted(run.provenance[(target, group)]),
                    }
                )
    conflicts = [
        {
            "id": k.id,
            "props": {
                "status": "open",
                "property": k.property,
                "target": k.target,
                "subject": k.subject,
                "object": k.object,
                "kind": k.kind,
                "since": change["at"],
                "values": k.values,
                "updatedAt": change["at"],
            },
        }
        for k in run.conflicts.values()
    ]
    entities = [e for e in run.empty if "id" in e]
    relationships: dict[str, list[dict[str, Any]]] = {}
    for e in run.empty:
        if "type" in e:
            relationships.setdefault(e["type"], []).append(e)

    async def work(tx) -> None:
        for source in checked.sources.values():
            await tx.run(writes.upsert_source(source_row(source)))
        await tx.run(q.changes(records))
        await tx.run(q.conflicts(conflicts))
        await tx.run(q.entity_lists(entities))
        for rel_type, rows in relationships.items():
            await tx.run(q.relationship_lists(rel_type, rows))

    await db.transaction(work)
