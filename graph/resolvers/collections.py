"""Collections of one kind: filters, ordering, keyset cursors, totalCount on demand."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from strawberry.types import Info

from graph.cypher.collections import Page, page_of_entities
from graph.domain import Kind
from graph.errors import BadUserInput
from graph.resolvers.arguments import check_range
from graph.resolvers.selection import Planner, plan_for
from graph.types.connections import CollectionEdge, Connection, PageInfo
from graph.types.entities import to_entity
from graph.types.filters import EntityWhere, OrderBy, SortDirection, SortKey, to_plain

MAX_PAGE = 500
# The Python types a cursor's sort key may have, per sort key.
KEY_TYPES: dict[str, tuple[type, ...]] = {
    "NAME": (str,),
    "DATE": (dt.date,),
    "AMOUNT": (int, float),
}


def encode_cursor(sort: str, descending: bool, key: Any, entity_id: str) -> str:
    if isinstance(key, dt.date):
        key = {"d": key.isoformat()}
    raw = json.dumps([sort, descending, key, entity_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, descending: bool) -> tuple[Any, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        c_sort, c_desc, key, entity_id = json.loads(raw)
        if isinstance(key, dict):
            key = dt.date.fromisoformat(key["d"])
        expected = KEY_TYPES.get(c_sort, ())
        if not isinstance(entity_id, str) or not isinstance(key, expected) or isinstance(key, bool):
            raise ValueError
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadUserInput(
            "`after` is not a cursor this API issued; use a `cursor` or `endCursor` value."
        ) from exc
    if c_sort != sort or c_desc != descending:
        raise BadUserInput(
            "`after` comes from a differently ordered page; keep the same `orderBy` while paging."
        )
    return key, entity_id


def _wants_total(info: Info) -> bool:
    """Whether `totalCount` is selected anywhere (fragments and directives included)."""
    planner = Planner(info)
    return any(
        node.name.value == "totalCount"
        for field_node in info._raw_info.field_nodes
        for _, node in planner.fields(field_node.selection_set, "connection")
    )


async def page(
    info: Info,
    kind: Kind | None,
    where: EntityWhere | None,
    order_by: OrderBy | None,
    first: int,
    after: str | None,
) -> Connection:
    check_range("first", first, 1, MAX_PAGE)
    order = order_by or OrderBy()
    sort, descending = order.key.value, order.direction == SortDirection.DESC
    start = decode_cursor(after, sort, descending) if after is not None else None
    spec = Page(
        kind=kind,
        where=to_plain(where) if where else None,
        sort=sort,
        descending=descending,
        first=first,
        after=start,
        with_total=_wants_total(info),
        plan=plan_for(info, ("edges", "node")),
    )
    try:
        cypher = page_of_entities(spec)
    except ValueError as exc:
        raise BadUserInput(f"The filter is not valid: {exc}.") from exc
    [row] = await info.context.db.read(cypher)
    rows = row["rows"]
    edges = [
        CollectionEdge(
            cursor=encode_cursor(sort, descending, r["key"], r["node"]["id"]),
            node=to_entity(r["node"]),
        )
        for r in rows[:first]
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > first,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total=row["total"],
    )


__all__ = ["SortKey", "page"]
