"""Collections of one kind: filters, ordering, keyset cursors, totalCount on demand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from strawberry.types import Info

from graph.cypher.collections import Page, page_of_entities
from graph.domain import Kind
from graph.resolvers import cursors
from graph.resolvers.arguments import check_range
from graph.resolvers.related import check_filter_error, plain
from graph.resolvers.selection import Planner, plan_for
from graph.types.connections import CollectionEdge, Connection, PageInfo
from graph.types.entities import to_entity
from graph.types.filters import EntityWhere, OrderBy, SortDirection, SortKey

MAX_PAGE = 500
# The Python types a cursor's sort key may have, per sort key.
KEY_TYPES: dict[str, tuple[type, ...]] = {
    "NAME": (str,),
    "DATE": (dt.date,),
    "AMOUNT": (int, float),
}


def decode_cursor(cursor: str, sort: str, descending: bool) -> tuple[Any, str]:
    return cursors.decode(cursor, sort, descending, KEY_TYPES.get(sort, ()))


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
    sort, descending = order.key.name, order.direction == SortDirection.DESC
    start = decode_cursor(after, sort, descending) if after is not None else None
    spec = Page(
        kind=kind,
        where=plain(where) if where else None,
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
        raise check_filter_error(exc) from exc
    [row] = await info.context.db.read(cypher)
    rows = row["rows"]
    edges = [
        CollectionEdge(
            cursor=cursors.encode(sort, descending, r["key"], r["node"]["id"]),
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
