"""The root Query type: each field checks its arguments and calls one resolver."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from graph.resolvers import collection_fields, entities, graph, search
from graph.types.entities import Entity
from graph.types.graph import Path, SearchHit, Subgraph
from graph.types.values import EntityKind, Source


@strawberry.type(
    description="Questions about organizations, people, banks, patents and "
    "agreements in intellectual-property finance, each fact with its source."
)
class Query:
    organizations = collection_fields.organizations
    banks = collection_fields.banks
    people = collection_fields.people
    patents = collection_fields.patents
    agreements = collection_fields.agreements
    events = collection_fields.events
    credits = collection_fields.credits
    grants = collection_fields.grants
    places = collection_fields.places
    entities = collection_fields.entities

    @strawberry.field(description="One entity by id; null when no entity has that id.")
    async def entity(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Entity id.")],
    ) -> Entity | None:
        return await entities.find_entity(info.context, str(id))

    @strawberry.field(
        description="Entities whose name or aliases match the text (Chinese included), "
        "tolerant of typos and partial words, best match first."
    )
    async def search(
        self,
        info: Info,
        text: Annotated[str, strawberry.argument(description="What to look for; any characters.")],
        kinds: Annotated[
            list[EntityKind] | None,
            strawberry.argument(description="Only entities of these kinds."),
        ] = None,
        first: Annotated[int, strawberry.argument(description="At most this many (1-100).")] = 10,
    ) -> list[SearchHit]:
        chosen = [k.value for k in kinds] if kinds else None
        return await search.search_entities(info.context, text, chosen, first)

    @strawberry.field(
        description="The shortest chain of relationships between two entities (provenance "
        "links are never followed); null when none within maxHops."
    )
    async def shortest_path(
        self,
        info: Info,
        from_id: Annotated[strawberry.ID, strawberry.argument(description="Start entity id.")],
        to_id: Annotated[strawberry.ID, strawberry.argument(description="End entity id.")],
        max_hops: Annotated[
            int, strawberry.argument(description="At most this many hops (1-10).")
        ] = 6,
        types: Annotated[
            list[str] | None,
            strawberry.argument(description="Only follow these relationship types."),
        ] = None,
    ) -> Path | None:
        return await graph.find_shortest_path(
            info.context, str(from_id), str(to_id), max_hops, types
        )

    @strawberry.field(
        description="Entities within `hops` of one entity, nearest first, and the "
        "relationships among them; `truncated` when `limit` cut it short."
    )
    async def neighborhood(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Centre entity id.")],
        hops: Annotated[int, strawberry.argument(description="How far to go (1-3).")] = 1,
        limit: Annotated[
            int,
            strawberry.argument(description="At most this many nodes, centre included (1-1000)."),
        ] = 200,
        types: Annotated[
            list[str] | None,
            strawberry.argument(description="Only follow these relationship types."),
        ] = None,
    ) -> Subgraph:
        return await graph.find_neighborhood(info.context, str(id), hops, limit, types)

    @strawberry.field(description="One source by id.")
    async def source(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Source id.")],
    ) -> Source | None:
        return await entities.find_source(info.context, str(id))

    @strawberry.field(description="Every source the graph was built from.")
    async def sources(self, info: Info) -> list[Source]:
        return await entities.list_sources(info.context)
