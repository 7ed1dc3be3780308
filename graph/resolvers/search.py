"""Full-text search over names and aliases."""

from __future__ import annotations

from strawberry.types import Info

from graph.cypher import search as q
from graph.resolvers.arguments import check_range, check_text
from graph.resolvers.selection import plan_for
from graph.types.entities import to_entity
from graph.types.search import SearchHit

MAX_HITS = 100


async def search_entities(
    info: Info, text: str, kinds: list[str] | None, first: int
) -> list[SearchHit]:
    text = check_text("text", text)
    check_range("first", first, 1, MAX_HITS)
    cypher = q.search_entities(text, kinds, first, plan_for(info, ("entity",)))
    if not cypher[1]["q"]:
        return []  # nothing searchable left (only punctuation)
    rows = await info.context.db.read(cypher)
    return [SearchHit(entity=to_entity(r["node"]), score=r["score"]) for r in rows]
