"""A search hit: the entity found and how well it matched."""

from __future__ import annotations

import strawberry

from graph.types.entities import Entity


@strawberry.type(description="A search result and its relevance.")
class SearchHit:
    entity: Entity = strawberry.field(description="The entity found.")
    score: float = strawberry.field(description="Relevance; higher is better.")
