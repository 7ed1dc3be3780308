"""CSV files of entities or of relationships; the header says which.

    id,kind,name,aliases,source,paragraph,locator[,<property>...]     entities
    from,type,to,source,paragraph,locator[,<property>...]              relationships

Any declared property (graph/domain/kinds.py) may be a column of its own, typed by the row's
kind or relationship type: int, float, bool (true/false, 1/0, yes/no), date (ISO),
string[] (`|`-separated). An empty cell is an absent value. `aliases` is `|`-separated.
Each row has one provenance entry: `source`, and `paragraph` or `locator`.
A cell that does not read as its type is passed on as text, and the domain check
(graph/facts.py) reports it with the type it should have had.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from graph.bulk.records import ENTITY, RELATIONSHIP, Problem, Record
from graph.domain import (
    BOOL,
    FLOAT,
    INT,
    RELATIONSHIP_PROPERTIES,
    RELATIONSHIP_TYPES,
    STRINGS,
    Kind,
)
from graph.facts import DECLARED, KIND_NAMES
from graph.wording import all_of

PROVENANCE_COLUMNS = ("source", "paragraph", "locator")
ENTITY_COLUMNS = ("id", "kind", "name", "aliases", *PROVENANCE_COLUMNS)
RELATIONSHIP_COLUMNS = ("from", "type", "to", *PROVENANCE_COLUMNS)
ENTITY_PROPERTIES = frozenset(p for props in DECLARED.values() for p in props)
RELATIONSHIP_COLUMN_NAMES = frozenset(
    p for props in RELATIONSHIP_PROPERTIES.values() for p in props
)
_INT = re.compile(r"^[+-]?\d+$")
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def parse_cell(text: str, declared: str | None) -> Any:
    """A non-empty cell as the declared type, or as it is when it does not read as one."""
    if declared == INT:
        return int(text) if _INT.match(text) else text
    if declared == FLOAT:
        try:
            value = float(text)
        except ValueError:
            return text
        return value if math.isfinite(value) else text
    if declared == BOOL:
        lowered = text.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else text
    if declared == STRINGS:
        return split_list(text)
    return text  # STRING, and DATE (checked as an ISO date by the domain check)


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split("|") if part.strip()]


def _provenance(cells: dict[str, str]) -> list[dict[str, Any]]:
    entry: dict[str, Any] = {}
    if cells.get("source"):
        entry["source"] = cells["source"]
    if cells.get("paragraph"):
        para = cells["paragraph"]
        entry["paragraph"] = int(para) if _INT.match(para) else para
    if cells.get("locator"):
        entry["locator"] = cells["locator"]
    return [entry]


def _properties(cells: dict[str, str], columns: list[str], declared: dict[str, str] | None):
    props = {}
    for column in columns:
        text = cells[column]
        if text:
            props[column] = parse_cell(text, declared.get(column) if declared else None)
    return props


def _entity(cells: dict[str, str], columns: list[str]) -> dict[str, Any]:
    kind = cells["kind"]
    declared = DECLARED[Kind(kind)] if kind in KIND_NAMES else None
    return {
        "id": cells["id"],
        "kind": kind,
        "name": cells["name"],
        "aliases": split_list(cells.get("aliases", "")),
        "properties": _properties(cells, columns, declared),
        "provenance": _provenance(cells),
    }


def _relationship(cells: dict[str, str], columns: list[str]) -> dict[str, Any]:
    rtype = RELATIONSHIP_TYPES.get(cells["type"])
    return {
        "from": cells["from"],
        "type": cells["type"],
        "to": cells["to"],
        "properties": _properties(
            cells, columns, RELATIONSHIP_PROPERTIES[rtype.name] if rtype else None
        ),
        "provenance": _provenance(cells),
    }


def _layout(header: list[str]) -> tuple[str, list[str]] | str:
    """(record type, property columns) for a header, or what is wrong with it."""
    names = set(header)
    if {"id", "kind", "name"} <= names:
        record_type, allowed = ENTITY, ENTITY_PROPERTIES
        fields: tuple[str, ...] = ENTITY_COLUMNS
    elif {"from", "type", "to"} <= names:
        record_type, allowed = RELATIONSHIP, RELATIONSHIP_COLUMN_NAMES
        fields = RELATIONSHIP_COLUMNS
    else:
        return (
            "the header must name the columns id,kind,name (a file of entities) or "
            f"from,type,to (a file of relationships); got {','.join(header) or 'none'}"
        )
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        return f"{_columns(repeated, 'appears', 'appear')} more than once"
    unknown = [c for c in header if c not in fields and c not in allowed]
    if unknown:
        return (
            f"{_columns(unknown, 'is', 'are')} neither a field ({all_of(fields)}) nor a "
            f"declared property ({all_of(sorted(allowed))})"
        )
    return record_type, [c for c in header if c not in fields]


def _columns(names: list[str], one: str, many: str) -> str:
    """`column 'a' is` or `columns 'a' and 'b' are` (the verbs given)."""
    quoted = all_of(map(repr, names))
    return f"column {quoted} {one}" if len(names) == 1 else f"columns {quoted} {many}"


def _open(path: Path, opener: Callable[[], IO[bytes]] | None) -> IO[bytes]:
    return opener() if opener is not None else path.open("rb")


def read_csv(
    path: Path, name: str | None = None, opener: Callable[[], IO[bytes]] | None = None
) -> Iterator[Record | Problem]:
    """`opener`: where the bytes come from instead of the file itself (its snapshot)."""
    name = name or path.name
    raw = _open(path, opener)
    with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        reader = csv.reader(text)
        header = [cell.strip() for cell in next(reader, [])]
        layout = _layout(header)
        if isinstance(layout, str):
            yield Problem(f"{name} line 1", layout, 1)
            return
        record_type, columns = layout
        build = _entity if record_type == ENTITY else _relationship
        width = len(header)
        end = reader.line_num
        for row in reader:
            start, end = end + 1, reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != width:
                yield Problem(
                    f"{name} line {start}", f"{len(row)} cells where the header has {width}", start
                )
                continue
            cells = dict(zip(header, (cell.strip() for cell in row), strict=True))
            yield Record(record_type, build(cells, columns), start)
