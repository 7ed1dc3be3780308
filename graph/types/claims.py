"""Claims as GraphQL objects: every value sources give a property, with its sources and
whether it is the value shown (graph/claims.py holds the rules)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graph import claims
from graph.cypher.plan import SOURCES_KEY
from graph.types.values import Provenance, provenance_of

CLAIMS_DESCRIPTION = (
    "Every value sources give this fact's properties (name, aliases and each declared "
    "property; money as amount + currency), with the sources that give it. A property's "
    "plain field shows one value: the one with most distinct sources, ties going to the "
    "most recently asserted, unless an editor resolved the conflict (`resolveConflict`), "
    "whose choice is shown and the other values are REJECTED."
)
CONTESTED_DESCRIPTION = (
    "The properties that sources give different values for (resolved or not): "
    "`claims(property:)` lists the values and their sources."
)


@strawberry.enum(description="How a claimed value stands.")
class ClaimStatus(Enum):
    SHOWN = strawberry.enum_value("SHOWN", description="The value the plain field shows.")
    ALTERNATIVE = strawberry.enum_value(
        "ALTERNATIVE", description="Another value some source gives; not shown."
    )
    REJECTED = strawberry.enum_value(
        "REJECTED", description="A value an editor decided against when resolving a conflict."
    )


@strawberry.type(description="One value of one property, and every source that gives it.")
class Claim:
    property: str = strawberry.field(description="The property (a field name, e.g. amount).")
    value: JSON = strawberry.field(
        description="The value: text, a number, an ISO date, a list, or {amount, currency}."
    )
    status: ClaimStatus = strawberry.field(description="Shown, alternative or rejected.")
    source_count: int = strawberry.field(description="How many distinct sources give it.")
    entries: strawberry.Private[list[str]]
    prefetched: strawberry.Private[Any]

    @strawberry.field(description="Each source (and paragraph or locator) that gives it.")
    async def provenance(self, info: Info) -> list[Provenance]:
        return await provenance_of(info, self.entries, self.prefetched)


def claims_for(
    props: dict[str, Any], kind_or_type: str, property: str | None = None
) -> list[Claim]:
    """A fact's claims as GraphQL objects (those of one property when asked)."""
    prefetched = props.get(SOURCES_KEY)
    out = []
    for prop, found in claims.claims_of(props, kind_or_type).items():
        if property is not None and prop != property:
            continue
        out += [
            Claim(
                property=prop,
                value=JSON(c.value),
                status=ClaimStatus(c.status),
                source_count=len(c.sources),
                entries=c.provenance,
                prefetched=prefetched,
            )
            for c in found
        ]
    return out


PropertyArg = Annotated[
    str | None,
    strawberry.argument(description="Only this property's claims (e.g. amount, name)."),
]


def claim_fields(props_of: Any, kind_of: Any) -> dict[str, Any]:
    """`claims` and `contested` for an object type whose fact's stored properties are
    `props_of(self)` and whose kind or relationship type is `kind_of(self)`."""

    def claims_resolver(self: Any, property: PropertyArg = None) -> list[Claim]:
        return claims_for(props_of(self), kind_of(self), property)

    def contested_resolver(self: Any) -> list[str]:
        return claims.contested(props_of(self), kind_of(self))

    claims_resolver.__annotations__ = {"property": PropertyArg, "return": list[Claim]}
    contested_resolver.__annotations__ = {"return": list[str]}
    return {
        "claims": strawberry.field(resolver=claims_resolver, description=CLAIMS_DESCRIPTION),
        "contested": strawberry.field(
            resolver=contested_resolver, description=CONTESTED_DESCRIPTION
        ),
    }
