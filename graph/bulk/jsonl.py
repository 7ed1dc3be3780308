"""JSON Lines: one object a line, a source, an entity or a relationship.

    {"record": "source", "id": "...", "title": "...", "publishedOn": "2024-05-01", ...}
    {"id": "...", "kind": "BANK", "name": "...", "aliases": [], "properties": {},
     "provenance": [{"source": "...", "paragraph": 3}]}
    {"from": "...", "type": "LENT", "to": "...", "properties": {},
     "provenance": [{"source": "...", "locator": "p. 4"}]}

`"record": "entity" | "relationship" | "source"` says which; without it an object with
`from`, `type` or `to` is a relationship and one with `id` or `kind` an entity. Sources
always say `"record": "source"`. Blank lines are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import orjson

from graph.bulk.records import ENTITY, RECORD_TYPES, RELATIONSHIP, Problem, Record
from graph.wording import one_of


def _record_type(obj: dict) -> str | None:
    if "from" in obj or "type" in obj or "to" in obj:  # _RELATIONSHIP_KEYS, unrolled
        return RELATIONSHIP
    if "id" in obj or "kind" in obj:
        return ENTITY
    return None


def _open(path: Path, opener: Callable[[], IO[bytes]] | None) -> IO[bytes]:
    return opener() if opener is not None else path.open("rb")


def read_jsonl(
    path: Path,
    name: str | None = None,
    opener: Callable[[], IO[bytes]] | None = None,
    first: int = 1,
    last: int | None = None,
) -> Iterator[Record | Problem]:
    """`opener`: where the bytes come from instead of the file itself (its snapshot);
    `first`, `last`: only the lines in between (both included) are parsed."""
    name = name or path.name
    with _open(path, opener) as lines:
        for number, raw in enumerate(lines, 1):
            if number < first:
                continue
            if last is not None and number > last:
                break
            if not raw.strip():
                continue
            where = f"{name} line {number}"
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                yield Problem(where, f"not valid JSON ({exc})", number)
                continue
            if not isinstance(obj, dict):
                yield Problem(where, "a line must hold one JSON object", number)
                continue
            declared = obj.pop("record", None)
            record_type = _record_type(obj) if declared is None else declared
            if record_type not in RECORD_TYPES:
                reason = (
                    f"record must be {one_of(RECORD_TYPES)}, got {declared!r}"
                    if declared is not None
                    else "neither an entity (id, kind) nor a relationship (from, type, to); "
                    'say which with "record"'
                )
                yield Problem(where, reason, number)
                continue
            yield Record(record_type, obj, number)
