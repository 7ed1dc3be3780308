"""CSV, for spreadsheets and pandas: one table of entities, one of relationships, one of
the sources they cite, in a zip with `export.json` (the request, when, whether the answer
was cut and where); or one of the first two tables alone.

Why a zip: the tables of one export come from one run of the query, so they agree with
each other (two requests could see the graph change in between), and the note saying the
answer was cut travels with them. A single table (`csv-nodes`, `csv-edges`) serves
`pandas.read_csv(url)`; its cut is said in the response's `X-Export-Truncated` header.

Cells are RFC 4180 (UTF-8, a header row, `\\r\\n` line ends). Lists are `|`-joined, as
in the bulk CSV format. A text cell that a spreadsheet would run as a formula (starting
with `=`, `+`, `-`, `@`, a tab or a carriage return) is written with a leading `'`,
OWASP's advice against CSV injection; numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any

from graph.export.flat import (
    EDGE_COLUMNS,
    NODE_COLUMNS,
    SOURCE_COLUMNS,
    edge_row,
    node_row,
    property_columns,
    source_row,
)
from graph.export.model import Export

MEDIA_TYPE = "text/csv"
ZIP_MEDIA_TYPE = "application/zip"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _table(columns: Iterable[str], rows: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: cell(value) for key, value in row.items()})
    return out.getvalue()


def nodes_csv(export: Export) -> str:
    columns = property_columns(NODE_COLUMNS, export.nodes)
    return _table([*NODE_COLUMNS, *columns.values()], (node_row(n, columns) for n in export.nodes))


def edges_csv(export: Export) -> str:
    columns = property_columns(EDGE_COLUMNS, export.edges)
    return _table([*EDGE_COLUMNS, *columns.values()], (edge_row(e, columns) for e in export.edges))


def sources_csv(export: Export) -> str:
    return _table(SOURCE_COLUMNS, (source_row(s) for s in export.sources.values()))


def about(export: Export) -> dict[str, Any]:
    """`export.json`: what the tables are an answer to."""
    return {
        "exportedAt": export.exported_at.isoformat(),
        "truncated": export.truncated,
        "cuts": list(export.cuts),
        "request": {
            "query": export.request.query,
            "operationName": export.request.operation_name,
            "variables": export.request.variables,
        },
        "counts": {
            "nodes": len(export.nodes),
            "edges": len(export.edges),
            "sources": len(export.sources),
        },
        "files": {
            "nodes.csv": "one row per entity; `sources` and `provenance` cite sources.csv",
            "edges.csv": "one row per relationship, `from` -> `to`",
            "sources.csv": "the sources cited",
        },
    }


def to_zip(export: Export) -> bytes:
    out = io.BytesIO()
    stamp = export.exported_at.timetuple()[:6]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            ("nodes.csv", nodes_csv(export)),
            ("edges.csv", edges_csv(export)),
            ("sources.csv", sources_csv(export)),
            ("export.json", json.dumps(about(export), ensure_ascii=False, indent=2)),
        ):
            archive.writestr(
                zipfile.ZipInfo(name, date_time=stamp),
                text.encode("utf-8"),
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()
