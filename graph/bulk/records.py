"""What readers yield: records (a source, an entity or a relationship, with the line it
came from) and problems (what is wrong, and where)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

SOURCE, ENTITY, RELATIONSHIP = "source", "entity", "relationship"
RECORD_TYPES = (SOURCE, ENTITY, RELATIONSHIP)


@dataclass(frozen=True, slots=True)
class Record:
    type: str  # SOURCE, ENTITY or RELATIONSHIP
    data: dict[str, Any]  # the document format's shape (see seed/article.json)
    line: int  # where it starts in its file (1-based); a position in a document
    label: str | None = None  # how to name it instead of by line: `entities[3] (id)`


@dataclass(frozen=True, slots=True)
class Problem:
    where: str  # `people.jsonl line 12`, or a document's `entities[3] (id)`
    reason: str
    line: int = 0
    order: tuple[int, int] = field(default=(0, 0), compare=False)  # (input, line), to sort

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(frozen=True)
class Input:
    """One file (or document) of records, which can be read more than once: once to check,
    once more to write. Every read must yield the same records: a file is read from its
    snapshot (graph/bulk/snapshot.py), a document from its own copy, never from anything
    that can change in between."""

    name: str
    read: Callable[[], Iterator[Record | Problem]]
    # The source of provenance entries that name none (a document's own source).
    default_source: str | None = None
    # Frees what reading needs (a file's snapshot), once the run is over.
    close: Callable[[], None] = lambda: None
    # Reads only the records on lines `first`..`last` (a JSON Lines file: the lines
    # outside are not parsed), for a pass that writes one record type of a file that
    # holds them in runs (entities, then relationships).
    read_span: Callable[[int, int], Iterator[Record | Problem]] | None = None

    def where(self, record: Record) -> str:
        return record.label or f"{self.name} line {record.line}"


class UsageError(Exception):
    """A file that cannot be read at all, or of a kind we do not read (exit code 2)."""
