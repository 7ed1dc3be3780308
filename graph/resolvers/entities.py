"""Root lookups: one entity, sources."""

from __future__ import annotations

from strawberry.types import Info

from graph.cypher import entities as q
from graph.resolvers.context import Context
from graph.resolvers.selection import plan_for
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


async def list_sources(ctx: Context) -> list[Source]:
    rows = await ctx.db.read(
        ("MATCH (s:Source) RETURN properties(s) AS source ORDER BY s.publishedOn, s.id", {})
    )
    return [Source.from_node(row["source"]) for row in rows]
