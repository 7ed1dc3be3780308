"""What a source asserts (the look before a retraction) and what a retraction did."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from graph import claims
from graph.types.claims import Claim, claims_for
from graph.types.entities import Entity, to_entity
from graph.types.mutations import ConflictError, ForbiddenError, NotFoundError, ValidationError
from graph.types.subgraphs import Edge

ONLY = (
    "True when this source is the only one asserting it: `retractSource` removes it "
    "(an entity stays while another source's relationship still joins it)."
)


def _own_claims(props: dict[str, Any], kind: str, source_id: str) -> list[Claim]:
    """The claims whose provenance includes `source_id`, with that source's entries only."""
    out = []
    for claim in claims_for(props, kind):
        mine = [e for e in claim.entries if claims.source_of(e) == source_id]
        if mine:
            claim.entries = mine
            out.append(claim)
    return out


@strawberry.type(description="An entity a source asserts.")
class AssertedEntity:
    entity: Entity = strawberry.field(description="The entity.")
    only_source: bool = strawberry.field(description=ONLY)
    claims: list[Claim] = strawberry.field(
        description="The values this source gives the entity's properties, with its places."
    )

    @staticmethod
    def of(row: dict[str, Any], source_id: str) -> AssertedEntity:
        node = row["node"]
        return AssertedEntity(
            entity=to_entity(node),
            only_source=row["only"],
            claims=_own_claims(node, node["kind"], source_id),
        )


@strawberry.type(description="A relationship a source asserts.")
class AssertedRelationship:
    relationship: Edge = strawberry.field(description="The relationship.")
    only_source: bool = strawberry.field(description=ONLY)
    claims: list[Claim] = strawberry.field(
        description="The values this source gives the relationship's properties."
    )

    @staticmethod
    def of(row: dict[str, Any], source_id: str) -> AssertedRelationship:
        return AssertedRelationship(
            relationship=Edge(
                type=row["type"],
                from_=strawberry.ID(row["from"]),
                to=strawberry.ID(row["to"]),
                props=row["props"],
            ),
            only_source=row["only"],
            claims=_own_claims(row["props"], row["type"], source_id),
        )


@strawberry.type(
    description="What retracting (or restoring) a source did, or with `dryRun` would do."
)
class Retraction:
    source_id: strawberry.ID = strawberry.field(description="The source.")
    dry_run: bool = strawberry.field(description="True when nothing was written.")
    entities_removed: int = strawberry.field(description="Entities asserted by it alone.")
    entities_kept: int = strawberry.field(
        description="Entities that other sources (or their relationships) keep standing, "
        "with this source taken off."
    )
    relationships_removed: int = strawberry.field(description="Relationships asserted by it alone.")
    relationships_kept: int = strawberry.field(
        description="Relationships other sources also assert, with this source taken off."
    )
    claims_removed: int = strawberry.field(
        description="Claim entries (a value, a source's place) taken off."
    )
    entities_restored: int = strawberry.field(
        default=0, description="restoreSource: entities brought back."
    )
    relationships_restored: int = strawberry.field(
        default=0, description="restoreSource: relationships brought back."
    )


RetractResult = Annotated[
    Retraction | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union("RetractionResult", description="What was withdrawn, or why not."),
]
