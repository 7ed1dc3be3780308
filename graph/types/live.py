"""What a subscription sends: one committed change to an entity or a relationship, with
its commit number (`seq`) and its change record, as `history` shows it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry.types import Info

from graph.cypher.nodes import relationship_id
from graph.types.entities import Entity
from graph.types.subgraphs import Edge
from graph.types.values import EntityKind, Provenance, provenance_of

_SEQ = (
    "The commit that made the change (the graph version it advanced to). Commits are "
    "numbered in the order they happened; subscribe again with `after` set to the last "
    "`seq` seen to miss nothing."
)
_COUNT = (
    "How many facts the change covers: 1, or the rows of a bulk ingestion or seed batch "
    "(recorded once per batch, with no single id)."
)


@strawberry.interface(description="A committed change, as a subscription sends it.")
class LiveChange:
    seq: int = strawberry.field(description=_SEQ)
    action: str = strawberry.field(
        description="create, update, delete, merge, resolve (a conflict), retract or restore "
        "(a source), mark-distinct or unmark-distinct (as in `history`)."
    )
    count: int = strawberry.field(description=_COUNT)
    change_id: strawberry.ID = strawberry.field(description="The change record's id.")
    at: dt.datetime = strawberry.field(description="When (UTC).")
    by: str | None = strawberry.field(
        description="Who made it, as in `history`: editors and admins only, else null."
    )
    via: str | None = strawberry.field(description="Through what: api, ingest, seed.")
    note: str | None = strawberry.field(
        description="The reason given, or what a bulk batch was: editors and admins only."
    )
    entries: strawberry.Private[list[str]]

    @strawberry.field(description="The provenance the change came with.")
    async def provenance(self, info: Info) -> list[Provenance]:
        return await provenance_of(info, self.entries)


@strawberry.type(description="A change to an entity: created, updated, merged or deleted.")
class EntityChange(LiveChange):
    id: strawberry.ID | None = strawberry.field(
        description="The entity (for a merge, the survivor); null for a bulk batch."
    )
    kind: EntityKind | None = strawberry.field(description="Its kind.")
    merged_id: strawberry.ID | None = strawberry.field(
        description="For a merge: the id merged into `id`, which now redirects to it."
    )

    @strawberry.field(
        description="The entity as it is now (read when this event is sent; null once "
        "deleted, and for a bulk batch)."
    )
    async def entity(self, info: Info) -> Entity | None:
        from graph.resolvers.entities import find_entity

        if self.id is None:
            return None
        return await find_entity(info, str(self.id))


@strawberry.type(description="A change to a relationship: created, updated or deleted.")
class RelationshipChange(LiveChange):
    type: str | None = strawberry.field(description="The relationship type.")
    from_: strawberry.ID | None = strawberry.field(
        name="from", description="The start entity's id; null for a bulk batch."
    )
    to: strawberry.ID | None = strawberry.field(
        description="The end entity's id; null for a bulk batch."
    )

    @strawberry.field(
        description="The relationship's id, `from|TYPE|to`: what `Edge.id` and "
        "`node(id:)` use, and `deleteRelationship(id:)` takes; null for a bulk batch. "
        "(Not `id`: every event of one relationship would be one cached object.)"
    )
    def relationship_id(self) -> strawberry.ID | None:
        if self.type is None or self.from_ is None or self.to is None:
            return None
        return strawberry.ID(relationship_id(str(self.from_), self.type, str(self.to)))

    @strawberry.field(
        description="The relationship as it is now, the Edge `node(relationshipId)` gives "
        "(read when this event is sent; null once deleted, and for a bulk batch)."
    )
    async def relationship(self, info: Info) -> Edge | None:
        from graph.resolvers.nodes import find_node

        rel_id = self.relationship_id()
        if rel_id is None:
            return None
        found = await find_node(info, str(rel_id))
        return found if isinstance(found, Edge) else None


def _record(change: dict[str, Any], authors: dict[str, str] | None) -> dict[str, Any]:
    return {
        "seq": change["seq"],
        "action": change["action"],
        "count": change.get("count") or 1,
        "change_id": strawberry.ID(change["id"]),
        "at": change["at"],
        "by": None if authors is None else authors.get(change["by"], change["by"]),
        "via": change.get("via"),
        "note": None if authors is None else change.get("note"),
        "entries": change.get("provenance") or [],
    }


def entity_change(change: dict[str, Any], authors: dict[str, str] | None) -> EntityChange:
    """`authors`: names by subject for a caller who may see them, else None."""
    kind = change.get("type")
    subject = change.get("subject")
    merged = change.get("object") if change["action"] == "merge" else None
    return EntityChange(
        **_record(change, authors),
        id=strawberry.ID(subject) if subject else None,
        kind=EntityKind(kind) if kind in EntityKind.__members__ else None,
        merged_id=strawberry.ID(merged) if merged else None,
    )


def relationship_change(
    change: dict[str, Any], authors: dict[str, str] | None
) -> RelationshipChange:
    start, end = change.get("subject"), change.get("object")
    return RelationshipChange(
        **_record(change, authors),
        type=change.get("type"),
        from_=strawberry.ID(start) if start else None,
        to=strawberry.ID(end) if end else None,
    )
