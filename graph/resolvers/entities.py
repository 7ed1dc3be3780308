"""Root lookups: one entity, sources."""

from __future__ import annotations

import datetime as dt

from strawberry.types import Info

from graph.cypher import entities as q
from graph.cypher.plan import MAX_LIST
from graph.resolvers import cursors
from graph.resolvers.arguments import check_range
from graph.resolvers.context import Context
from graph.resolvers.selection import plan_for
from graph.types.connections import CollectionEdge, Connection, PageInfo
from graph.types.entities import Entity, to_entity
from graph.types.values import Source


async def find_entity(info: Info, entity_id: str, path: tuple[str, ...] = ()) -> Entity | None:
    """The entity with this id (or merged into another under it), shaped for the
    selection found at `path` below the current field."""
    rows = await info.context.db.read(q.entity_by_id(entity_id, plan_for(info, path)))
    return to_entity(rows[0]["node"]) if rows else None


async def find_source(ctx: Context, source_id: str) -> Source | None:
    node = await ctx.sources.load(source_id)
    return Source.from_node(node) if node else None


SOURCES_ORDER = "publishedOn"


async def list_sources(ctx: Context, first: int) -> list[Source]:
    check_range("first", first, 1, MAX_LIST)
    rows = await ctx.db.read(q.sources_page(first, counted=False))
    return [Source.from_node(row["source"]) for row in rows[:first]]


async def page_sources(ctx: Context, first: int, after: str | None) -> Connection[Source]:
    """A page of sources in the order of `list_sources`, with keyset cursors."""
    check_range("first", first, 1, MAX_LIST)
    key = None
    if after is not None:
        date, source_id = cursors.decode(after, SOURCES_ORDER, False, (dt.date, type(None)))
        key = (date, source_id)
    rows = await ctx.db.read(q.sources_page(first, key))
    page = [Source.from_node(row["source"]) for row in rows[:first]]
    edges = [
        CollectionEdge(
            cursor=cursors.encode(SOURCES_ORDER, False, source.published_on, str(source.id)),
            node=source,
        )
        for source in page
    ]
    total = rows[0]["total"] if rows else await _count_sources(ctx)
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > first, end_cursor=edges[-1].cursor if edges else None
        ),
        total=total,
    )


async def _count_sources(ctx: Context) -> int:
    [row] = await ctx.db.read(("MATCH (s:Source) RETURN count(s) AS n", {}))
    return int(row["n"])
