"""Every row held against the declared domain before anything is written.

A `Checker` takes the records of all inputs in one pass: each record is checked on its own
(graph/facts.py), repeated ids must agree with their first line, and what a record names
that is not yet known (a relationship's ends, a provenance source) is set aside. The graph
is then asked about those names once (`unresolved` → `finish`), so a relationship may join
an entity of the file, of another file of the same run, or one already in the graph, and a
provenance entry may cite a source declared in the files or already in the graph.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import orjson

from graph.bulk.records import ENTITY, RELATIONSHIP, SOURCE, Input, Problem, Record
from graph.domain import Kind
from graph.facts import (
    check_endpoints,
    check_entity,
    check_relationship,
    check_source,
)


@dataclass
class Checked:
    problems: list[Problem]  # sorted by input and line
    invalid: set[tuple[int, int]]  # (input, line) of every record not to write
    sources: dict[str, dict[str, Any]]  # valid sources declared by the inputs
    counts: dict[str, int]  # records read, per record type
    types: dict[int, set[str]]  # the record types each input holds
    valid_rows: int  # entities and relationships to write
    # Ids of entities, and (from, type, to) of relationships, named by more than one
    # record (the offline importer folds these; every other fact is one row).
    repeated: set[Any] = field(default_factory=set)
    # (input, record type) -> the first and last line holding a record of that type.
    spans: dict[tuple[int, str], tuple[int, int]] = field(default_factory=dict)

    @property
    def invalid_rows(self) -> int:
        return len(self.invalid)


def _signature(*parts: Any) -> int:
    return hash(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS))


class Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.invalid: set[tuple[int, int]] = set()
        self.counts = dict.fromkeys((SOURCE, ENTITY, RELATIONSHIP), 0)
        self.invalid_facts = 0  # entities and relationships among the invalid records
        self.types: dict[int, set[str]] = defaultdict(set)
        self.sources: dict[str, dict[str, Any]] = {}
        # Entity id -> kind (valid rows only), and where each id first appeared, with a
        # signature of what it said there.
        self.kinds: dict[str, Kind | None] = {}
        self._first: dict[str, tuple[str, int]] = {}
        self._failed_ids: dict[str, str] = {}  # id -> where its row failed
        self._rels: dict[tuple[str, str, str], tuple[str, int]] = {}
        # Relationships whose ends are not known yet: (input, where, line, {type, from, to}).
        self._deferred: list[tuple[int, str, int, dict[str, str]]] = []
        self._cited: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
        self.repeated: set[Any] = set()
        self.spans: dict[tuple[int, str], tuple[int, int]] = {}

    def add(self, index: int, source: Input, item: Record | Problem) -> None:
        if isinstance(item, Problem):
            self._fail(index, item.line, item.where, [item.reason], fact=False)
            return
        where = source.where(item)
        self.counts[item.type] += 1
        self.types[index].add(item.type)
        span = self.spans.get((index, item.type))
        self.spans[(index, item.type)] = (span[0] if span else item.line, item.line)
        if item.type == ENTITY:
            self._entity(index, source, where, item)
        elif item.type == RELATIONSHIP:
            self._relationship(index, source, where, item)
        else:
            self._source(index, where, item)

    def _fail(
        self, index: int, line: int, where: str, reasons: list[str], fact: bool = True
    ) -> None:
        """`fact`: the record is an entity or a relationship (not a source, not a line
        that could not be read)."""
        if fact and (index, line) not in self.invalid:
            self.invalid_facts += 1
        self.invalid.add((index, line))
        self.problems += [Problem(where, r, line, (index, line)) for r in reasons]

    def _cite(self, index: int, source: Input, where: str, record: Record) -> list[str]:
        """Provenance sources: a file's entries must name one; unknown ones wait for the
        graph lookup."""
        problems: list[str] = []
        entries = record.data.get("provenance") if isinstance(record.data, dict) else None
        if not isinstance(entries, list):
            return problems  # the record's own check says what is wrong
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            cited = entry.get("source") or source.default_source
            if cited is None:
                problems.append("a provenance entry needs a source (the id of a source)")
            elif isinstance(cited, str) and cited not in self.sources:
                self._cited[cited].append((index, where, record.line))
        return problems

    def _source(self, index: int, where: str, record: Record) -> None:
        problems = check_source(record.data)
        first = self.sources.get(str(record.data.get("id")))
        if not problems and first is not None and first != record.data:
            problems.append(f"source {record.data['id']!r} is declared twice, differently")
        if problems:
            self._fail(index, record.line, where, problems, fact=False)
        else:
            self.sources[record.data["id"]] = record.data

    def _entity(self, index: int, source: Input, where: str, record: Record) -> None:
        data = record.data
        problems = check_entity(data)
        problems += self._cite(index, source, where, record)
        if not problems:
            entity_id, kind = data["id"], Kind(data["kind"])
            signature = _signature(kind.value, data["name"].strip(), data.get("properties") or {})
            first = self._first.get(entity_id)
            if first is None:
                self._first[entity_id] = (where, signature)
                self.kinds[entity_id] = kind
            else:
                self.repeated.add(entity_id)
                if self.kinds[entity_id] != kind:
                    problems.append(
                        f"id {entity_id!r} is of kind {self.kinds[entity_id]} at {first[0]}, "
                        f"not {kind}"
                    )
                elif first[1] != signature:
                    problems.append(
                        f"id {entity_id!r} is also at {first[0]} with another name or other "
                        "properties; a repeated entity must agree (aliases and provenance may "
                        "differ)"
                    )
        if problems:
            if isinstance(data, dict):
                self._failed_ids.setdefault(str(data.get("id")), where)
            self._fail(index, record.line, where, problems)

    def _relationship(self, index: int, source: Input, where: str, record: Record) -> None:
        data = record.data
        problems = check_relationship(data)
        problems += self._cite(index, source, where, record)
        if not problems:
            key = (data["from"], data["type"], data["to"])
            signature = _signature(data.get("properties") or {})
            first = self._rels.setdefault(key, (where, signature))
            if first[0] != where:
                self.repeated.add(key)
            if first[1] != signature:
                problems.append(
                    f"the same relationship is also at {first[0]} with other properties; "
                    "a repeated relationship must agree (provenance may differ)"
                )
        if problems:
            self._fail(index, record.line, where, problems)
            return
        ends = {"type": data["type"], "from": data["from"], "to": data["to"]}
        if ends["from"] in self.kinds and ends["to"] in self.kinds:
            self._endpoints(index, where, record.line, ends)
        else:
            self._deferred.append((index, where, record.line, ends))

    def _endpoints(self, index: int, where: str, line: int, ends: dict[str, str]) -> None:
        problems = check_endpoints(ends, self.kinds)
        if problems:
            for end in ("from", "to"):
                failed = self._failed_ids.get(ends[end])
                if failed and ends[end] not in self.kinds:
                    problems.append(f"(the row of {ends[end]!r}, {failed}, is invalid)")
            self._fail(index, line, where, problems)

    def unresolved(self) -> tuple[list[str], list[str]]:
        """(source ids, entity ids) the records name that the inputs do not declare: the
        graph is asked about these."""
        sources = sorted(s for s in self._cited if s not in self.sources)
        ids = {
            ends[end]
            for *_, ends in self._deferred
            for end in ("from", "to")
            if ends[end] not in self.kinds
        }
        return sources, sorted(ids)

    def finish(self, graph_sources: set[str], graph_kinds: dict[str, Kind | None]) -> Checked:
        """`graph_sources`: those of `unresolved()` sources that exist; `graph_kinds`: the
        kinds of the entities that exist (their survivors' for merged ids)."""
        for cited, places in self._cited.items():
            if cited in self.sources or cited in graph_sources:
                continue
            for index, where, line in places:
                reason = f"source {cited!r} is neither declared in the input nor in the graph"
                self._fail(index, line, where, [reason])
        for entity_id, kind in graph_kinds.items():
            self.kinds.setdefault(entity_id, kind)
        for index, where, line, ends in self._deferred:
            if (index, line) not in self.invalid:
                self._endpoints(index, where, line, ends)
        self._deferred.clear()
        problems = sorted(self.problems, key=lambda p: p.order)
        valid = self.counts[ENTITY] + self.counts[RELATIONSHIP] - self.invalid_facts
        return Checked(
            problems,
            self.invalid,
            self.sources,
            self.counts,
            self.types,
            valid,
            self.repeated,
            self.spans,
        )
