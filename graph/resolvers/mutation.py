"""The root Mutation type. Writes need a bearer token: editor for upserts, admin for
deletes and merges. Expected failures are typed results; nothing is half-written."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from graph.resolvers import writing
from graph.types.mutations import (
    DeleteResult,
    EntityInput,
    EntityResult,
    ProvenanceInput,
    RelationshipInput,
    RelationshipResult,
)

Prov = Annotated[
    ProvenanceInput, strawberry.argument(description="Where the fact comes from (required).")
]
Reason = Annotated[str | None, strawberry.argument(description="Why, recorded in the history.")]


@strawberry.type(
    description="Changes to the graph. Every fact written carries its provenance "
    "and is recorded in `history`."
)
class Mutation:
    @strawberry.mutation(
        description="Create an entity, or update it (name, added aliases, properties). The "
        "same fact from a second source adds a provenance entry, not a duplicate. Editor."
    )
    async def upsert_entity(
        self,
        info: Info,
        entity: Annotated[EntityInput, strawberry.argument(description="The entity.")],
        provenance: Prov,
    ) -> EntityResult:
        return await writing.upsert_entity(info, entity, provenance)

    @strawberry.mutation(
        description="Create a relationship between two existing entities, or update its "
        "properties; it must be a declared type joining the kinds it allows. Editor."
    )
    async def upsert_relationship(
        self,
        info: Info,
        relationship: Annotated[
            RelationshipInput, strawberry.argument(description="The relationship.")
        ],
        provenance: Prov,
    ) -> RelationshipResult:
        return await writing.upsert_relationship(info, relationship, provenance)

    @strawberry.mutation(description="Delete an entity and its relationships. Admin.")
    async def delete_entity(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Entity id.")],
        reason: Reason = None,
    ) -> DeleteResult:
        return await writing.delete_entity(info, str(id), reason)

    @strawberry.mutation(description="Delete one relationship. Admin.")
    async def delete_relationship(
        self,
        info: Info,
        from_: Annotated[
            strawberry.ID, strawberry.argument(name="from", description="Start entity id.")
        ],
        type: Annotated[str, strawberry.argument(description="Relationship type.")],
        to: Annotated[strawberry.ID, strawberry.argument(description="End entity id.")],
        reason: Reason = None,
    ) -> DeleteResult:
        return await writing.delete_relationship(info, str(from_), type, str(to), reason)

    @strawberry.mutation(
        description="Merge two entities that are the same thing: relationships, aliases "
        "and provenance move to the survivor, and the merged id keeps resolving to it. Admin."
    )
    async def merge_entities(
        self,
        info: Info,
        survivor_id: Annotated[
            strawberry.ID, strawberry.argument(description="The entity that stays.")
        ],
        merged_id: Annotated[
            strawberry.ID, strawberry.argument(description="The entity merged into it.")
        ],
        reason: Reason = None,
    ) -> EntityResult:
        return await writing.merge_entities(info, str(survivor_id), str(merged_id), reason)
