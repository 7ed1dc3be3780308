"""Full-text search over names and aliases."""

from __future__ import annotations

from graph.cypher import search as q
from graph.resolvers.arguments import check_range, check_text
from graph.resolvers.context import Context
from graph.types.entities import to_entity
from graph.types.graph import SearchHit

MAX_HITS = 100


async def search_entities(
    ctx: Context, text: str, kinds: list[str] | None, first: int
) -> list[SearchHit]:
    text = check_text("text", text)
    check_range("first", first, 1, MAX_HITS)
    cypher = q.search_entities(text, kinds, first)
    if not cypher[1]["q"]:
        return []  # nothing searchable left (only punctuation)
    rows = await ctx.db.read(cypher)
    return [SearchHit(entity=to_entity(r["node"]), score=r["score"]) for r in rows]
