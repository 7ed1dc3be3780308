"""Opaque keyset cursors: the sort, its direction, the last row's sort key and its
tie-break, base64url-encoded JSON. A cursor is refused when it was not issued by this
API or comes from a differently ordered page."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

import orjson

from graph.errors import BadUserInput

# Longer than any cursor this API issues (a sort name, a key of at most a name's length,
# an id): a longer `after` is refused before it is decoded.
MAX_CURSOR_LENGTH = 4096


def encode(sort: str, descending: bool, key: Any, entity_id: str) -> str:
    if isinstance(key, dt.date):
        key = {"d": key.isoformat()}
    # orjson: a page of 100 encodes 100 cursors, ~3 ms of a request with json.dumps.
    raw = orjson.dumps([sort, descending, key, entity_id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(
    cursor: str, sort: str, descending: bool, key_types: tuple[type, ...]
) -> tuple[Any, str]:
    """The (sort key, tie-break) a cursor resumes after; `key_types` are the Python types
    the key may have under `sort`."""
    not_ours = BadUserInput(
        "`after` is not a cursor this API issued; use a `cursor` or `endCursor` value."
    )
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise not_ours
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        c_sort, c_desc, key, entity_id = json.loads(raw)
        if isinstance(key, dict):
            key = dt.date.fromisoformat(key["d"])
    except (
        ValueError,
        TypeError,
        KeyError,
        binascii.Error,
        UnicodeDecodeError,
        RecursionError,  # a made-up cursor of deeply nested JSON
    ) as exc:
        raise not_ours from exc
    if not isinstance(c_sort, str) or not isinstance(entity_id, str):
        raise not_ours
    if c_sort != sort or c_desc != descending:
        raise BadUserInput(
            "`after` is a cursor of a differently ordered page; keep the same `orderBy` "
            "while paging."
        )
    if not isinstance(key, key_types) or isinstance(key, bool):
        raise not_ours
    return key, entity_id
