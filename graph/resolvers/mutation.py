"""The root Mutation type. Writes need a bearer token: editor for upserts, admin for
deletes and merges. Expected failures are typed results; nothing is half-written."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graph.resolvers import conflicts, retraction, writing
from graph.resolvers.arguments import relationship_named
from graph.types.conflicts import ResolveResult
from graph.types.duplicates import DistinctResult
from graph.types.mutations import (
    DeleteResult,
    EntityInput,
    EntityResult,
    ProvenanceInput,
    RelationshipInput,
    RelationshipResult,
)
from graph.types.retraction import RetractResult

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

    @strawberry.mutation(
        description="Delete one relationship, named by its `id` (`from|TYPE|to`, as "
        "`Edge.id` and `relationshipId` give it) or by `from`, `type` and `to`. Admin."
    )
    async def delete_relationship(
        self,
        info: Info,
        from_: Annotated[
            strawberry.ID | None,
            strawberry.argument(name="from", description="Start entity id (without `id`)."),
        ] = None,
        type: Annotated[
            str | None, strawberry.argument(description="Relationship type (without `id`).")
        ] = None,
        to: Annotated[
            strawberry.ID | None, strawberry.argument(description="End entity id (without `id`).")
        ] = None,
        id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The relationship's id, `from|TYPE|to`."),
        ] = None,
        reason: Reason = None,
    ) -> DeleteResult:
        start, rel_type, end = relationship_named(
            None if id is None else str(id),
            None if from_ is None else str(from_),
            type,
            None if to is None else str(to),
        )
        return await writing.delete_relationship(info, start, rel_type, end, reason)

    @strawberry.mutation(
        description="Merge two entities that are the same thing: relationships, aliases "
        "and provenance move to the survivor, and the merged id keeps resolving to it. Editor."
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

    @strawberry.mutation(
        description="Settle a conflict: show one of the values sources give the property "
        "(pass a claim's `value`), whatever the count of sources; the others stay, marked "
        "REJECTED, and a value no source gave before reopens the conflict. Recorded in "
        "`history` with the note. Editor."
    )
    async def resolve_conflict(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The conflict's id.")],
        value: Annotated[
            JSON, strawberry.argument(description="The value to show, as a claim gives it.")
        ],
        note: Annotated[
            str | None, strawberry.argument(description="Why this value, for the history.")
        ] = None,
    ) -> ResolveResult:
        return await conflicts.resolve(info, str(id), value, note)

    @strawberry.mutation(
        description="Withdraw everything a source asserted, in one transaction: entities "
        "and relationships asserted by it alone are removed (an entity stays while another "
        "source's relationship joins it), the others lose its provenance, its claims and "
        "any value shown only on its word. Recorded in `history`; `restoreSource` undoes "
        "it. With `dryRun`, says what it would do and writes nothing (`source(id) { "
        "entitiesAsserted relationshipsAsserted }` lists the facts). Admin."
    )
    async def retract_source(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The source's id.")],
        reason: Reason = None,
        dry_run: Annotated[bool, strawberry.argument(description="Count, write nothing.")] = False,
    ) -> RetractResult:
        return await retraction.retract(info, str(id), reason, dry_run)

    @strawberry.mutation(
        description="Undo a source's last retraction: removed facts come back as they were, "
        "and the facts that stayed get its provenance and claims again (what others changed "
        "on them since is kept). Recorded in `history`. Admin."
    )
    async def restore_source(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The source's id.")],
        reason: Reason = None,
    ) -> RetractResult:
        return await retraction.restore(info, str(id), reason)

    @strawberry.mutation(
        description="Say that two entities of one kind are not the same thing: "
        "`duplicateCandidates` never proposes them again (also after either is merged "
        "into another: the mark follows it). Recorded in history (`mark-distinct`); "
        "`unmarkDistinct` undoes it. Editor."
    )
    async def mark_distinct(
        self,
        info: Info,
        a: Annotated[strawberry.ID, strawberry.argument(description="One entity id.")],
        b: Annotated[strawberry.ID, strawberry.argument(description="The other entity id.")],
        note: Annotated[
            str | None, strawberry.argument(description="Why they differ, recorded in history.")
        ] = None,
    ) -> DistinctResult:
        return await writing.mark_distinct(info, str(a), str(b), note)

    @strawberry.mutation(
        description="Undo `markDistinct`: the two may be proposed as duplicates again. "
        "Recorded in history (`unmark-distinct`). Editor."
    )
    async def unmark_distinct(
        self,
        info: Info,
        a: Annotated[strawberry.ID, strawberry.argument(description="One entity id.")],
        b: Annotated[strawberry.ID, strawberry.argument(description="The other entity id.")],
        note: Annotated[
            str | None, strawberry.argument(description="Why, recorded in history.")
        ] = None,
    ) -> DistinctResult:
        return await writing.unmark_distinct(info, str(a), str(b), note)
