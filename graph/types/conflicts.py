"""Conflicts as GraphQL objects: a property that sources disagree about, on an entity or
a relationship, with every value given and how it was resolved."""

from __future__ import annotations

import datetime as dt
import json
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from graph import claims
from graph.types.claims import Claim, claims_for
from graph.types.entities import Entity, to_entity
from graph.types.mutations import ForbiddenError, NotFoundError, ValidationError
from graph.types.subgraphs import Edge


@strawberry.enum(description="Whether an editor has settled a conflict.")
class ConflictStatus(Enum):
    OPEN = strawberry.enum_value("OPEN", description="Sources disagree; nobody chose yet.")
    RESOLVED = strawberry.enum_value(
        "RESOLVED", description="An editor chose the value shown (`resolveConflict`)."
    )


@strawberry.type(description="A property that sources give different values for.")
class Conflict:
    id: strawberry.ID = strawberry.field(
        description="`<entity id or relationship id>#<property>`; stays the same when it "
        "is resolved or reopened."
    )
    property: str = strawberry.field(description="The property (a field name).")
    kind: str = strawberry.field(
        description="The entity's kind, or the relationship's type, e.g. BANK or LENT."
    )
    status: ConflictStatus = strawberry.field(description="Open or resolved.")
    since: dt.datetime | None = strawberry.field(description="When sources first disagreed.")
    note: str | None = strawberry.field(description="The resolving editor's note.")
    resolved_at: dt.datetime | None = strawberry.field(description="When it was resolved.")
    row: strawberry.Private[dict[str, Any]]

    @strawberry.field(
        description="The entity the conflict is about; for a relationship, its start."
    )
    def entity(self) -> Entity:
        node = self.row["start"] if self.row["start"] is not None else self.row["props"]
        return to_entity(node)

    @strawberry.field(description="The relationship the conflict is about, if it is one.")
    def relationship(self) -> Edge | None:
        if self.row["start"] is None:
            return None
        return Edge(
            type=self.kind,
            from_=strawberry.ID(self.row["start"]["id"]),
            to=strawberry.ID(self.row["end"]["id"]),
            props=self.row["props"],
        )

    @strawberry.field(description="The value the plain field shows now.")
    def shown(self) -> JSON:
        group = claims.groups_of(self.kind).get(self.property)
        key = claims.value_key(group, self.row["props"]) if group is not None else None
        return JSON(None if key is None else json.loads(key))

    @strawberry.field(description="Every value sources give this property, with its sources.")
    def claims(self) -> list[Claim]:
        return claims_for(self.row["props"], self.kind, self.property)

    @staticmethod
    def of(row: dict[str, Any]) -> Conflict:
        k = row["conflict"]
        return Conflict(
            id=strawberry.ID(k["id"]),
            property=k["property"],
            kind=k["kind"],
            status=ConflictStatus.RESOLVED if k["status"] == "resolved" else ConflictStatus.OPEN,
            since=_datetime(k.get("since")),
            note=k.get("note"),
            resolved_at=_datetime(k.get("resolvedAt")),
            row=row,
        )


def _datetime(value: Any) -> dt.datetime | None:
    return value.to_native() if hasattr(value, "to_native") else value


@strawberry.type(description="A resolved conflict.")
class ConflictResolved:
    conflict: Conflict = strawberry.field(description="The conflict, now resolved.")


ResolveResult = Annotated[
    ConflictResolved | ValidationError | NotFoundError | ForbiddenError,
    strawberry.union("ResolveConflictResult", description="The resolved conflict, or why not."),
]
