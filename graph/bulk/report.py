"""What a write leaves behind: the report of a bulk run (graph/bulk/ingestion.py), and
the change record (who, how, when) that every write, bulk or through the API
(graph/resolvers/writing.py), puts on its Change nodes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass
class IngestReport:
    """Counts are of rows written: a row is created, updated (it added or changed
    something), unchanged, or rejected by the database (`rejected` says why)."""

    entities_written: int = 0
    entities_created: int = 0
    entities_updated: int = 0
    entities_rejected: int = 0
    relationships_written: int = 0
    relationships_created: int = 0
    relationships_updated: int = 0
    relationships_rejected: int = 0
    sources_written: int = 0
    rejected: list[dict] = field(default_factory=list)
    # Rows refused before writing (graph.bulk.records.Problem, one or more per row).
    invalid: list[Any] = field(default_factory=list)
    invalid_rows: int = 0
    check_seconds: float = 0.0  # reading and checking, before the first write
    seconds: float = 0.0  # the whole run

    def add(self, target: str, result: dict) -> None:
        for count in ("written", "created", "updated"):
            name = f"{target}_{count}"
            setattr(self, name, getattr(self, name) + result[count])
        name = f"{target}_rejected"
        setattr(self, name, getattr(self, name) + len(result["rejected"]))
        self.rejected += result["rejected"]

    @property
    def entities_unchanged(self) -> int:
        return (
            self.entities_written
            - self.entities_created
            - self.entities_updated
            - self.entities_rejected
        )

    @property
    def relationships_unchanged(self) -> int:
        return (
            self.relationships_written
            - self.relationships_created
            - self.relationships_updated
            - self.relationships_rejected
        )

    @property
    def rows_written(self) -> int:
        return self.entities_written + self.relationships_written


def change_record(by: str, via: str) -> dict:
    """Who writes, how, and when (UTC), as recorded on each Change node."""
    return {"by": by, "via": via, "at": dt.datetime.now(dt.UTC)}
