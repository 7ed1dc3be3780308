"""The Entity interface and the generic relationship types. The concrete type of each
kind, its typed fields and its relationship fields are built from the domain declaration
by `graph.types.kinds`; `TYPES` maps each kind to its type."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graph.claims import contested
from graph.cypher.common import INTERNAL_PROPERTIES
from graph.cypher.nodes import relationship_id
from graph.cypher.plan import DEFAULT_PAGE, MAX_LIST, PREFETCHED_KEY, SOURCES_KEY, rel_key
from graph.resolvers import related
from graph.resolvers.arguments import check_range, check_relationship_types
from graph.types.claims import (
    CLAIMS_DESCRIPTION,
    CONTESTED_DESCRIPTION,
    Claim,
    PropertyArg,
    claims_for,
)
from graph.types.connections import PageInfo
from graph.types.node import Node
from graph.types.values import Direction, EntityKind, Provenance, provenance_of

_CORE = {"id", "kind", "name", "aliases"}


def public_properties(props: dict[str, Any]) -> dict[str, Any]:
    """Every property the client may see, JSON-ready (dates as ISO strings)."""
    out = {}
    for key, value in sorted(props.items()):
        if key.startswith("_") or key in INTERNAL_PROPERTIES or key in _CORE:
            continue
        out[key] = value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
    return out


# A relationship's id on the objects that show it from one of its ends: `relationshipId`,
# never `id`, because a client cache merges objects of one type and id, and `direction` /
# `other` differ between the two ends (README.md, "Global ids and federation").
RELATIONSHIP_ID = (
    "The relationship's stable id (`from|TYPE|to`): `node(id:)` returns it as an `Edge`, "
    "the form that is the same from either end. Not named `id`, since this object is one "
    "end's view of it."
)


@strawberry.type(description="A relationship seen from one of its ends.")
class Relationship:
    type: str = strawberry.field(description="Relationship type, e.g. LENT or PARTY_TO.")
    direction: Direction = strawberry.field(
        description="OUT when it points from the entity asked to `other`, IN otherwise."
    )
    other: Entity = strawberry.field(description="The entity at the other end.")
    props: strawberry.Private[dict]
    holder: strawberry.Private[str]

    @strawberry.field(description=RELATIONSHIP_ID)
    def relationship_id(self) -> strawberry.ID:
        other = self.other.node["id"]
        start, end = (
            (self.holder, other) if self.direction == Direction.OUT else (other, self.holder)
        )
        return strawberry.ID(relationship_id(start, self.type, end))

    @strawberry.field(description="All properties of the relationship.")
    def properties(self) -> JSON:
        return JSON(public_properties(self.props))

    @strawberry.field(description="Where the relationship was asserted.")
    async def provenance(self, info: Info) -> list[Provenance]:
        return await provenance_of(info, self.props.get("_prov"), self.props.get(SOURCES_KEY))

    @strawberry.field(description=CLAIMS_DESCRIPTION)
    def claims(self, property: PropertyArg = None) -> list[Claim]:
        return claims_for(self.props, self.type, property)

    @strawberry.field(description=CONTESTED_DESCRIPTION)
    def contested(self) -> list[str]:
        return contested(self.props, self.type)


@strawberry.interface(description="Anything in the graph: organization, bank, person, ...")
class Entity(Node):
    node: strawberry.Private[dict]

    @strawberry.field(description="Stable, readable id (a slug such as `bank-of-beijing`).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.node["id"])

    @strawberry.field(description="What the entity is.")
    def kind(self) -> EntityKind:
        return EntityKind(self.node["kind"])

    @strawberry.field(description="The entity's name as most sources give it.")
    def name(self) -> str:
        return self.node["name"]

    @strawberry.field(description="Other names: abbreviations, Chinese names, variants.")
    def aliases(self) -> list[str]:
        return list(self.node.get("aliases") or [])

    @strawberry.field(description="All other properties of the entity, as a JSON object.")
    def properties(self) -> JSON:
        return JSON(public_properties(self.node))

    @strawberry.field(description="Every source and paragraph that asserts this entity.")
    async def provenance(self, info: Info) -> list[Provenance]:
        return await provenance_of(info, self.node.get("_prov"), self.node.get(SOURCES_KEY))

    @strawberry.field(description=CLAIMS_DESCRIPTION)
    def claims(self, property: PropertyArg = None) -> list[Claim]:
        return claims_for(self.node, self.node["kind"], property)

    @strawberry.field(description=CONTESTED_DESCRIPTION)
    def contested(self) -> list[str]:
        return contested(self.node, self.node["kind"])

    @strawberry.field(
        description="Relationships of any declared type, optionally filtered by type and "
        "direction, ordered by type then by the other end's name: at most `first`; "
        "`relationshipsConnection` pages through all of them and counts them."
    )
    async def relationships(
        self,
        info: Info,
        types: Annotated[
            list[str] | None,
            strawberry.argument(description='Only these relationship types (e.g. ["LENT"]).'),
        ] = None,
        direction: Annotated[
            Direction, strawberry.argument(description="Which way the relationships point.")
        ] = Direction.BOTH,
        first: Annotated[
            int, strawberry.argument(description=f"At most this many (1 to {MAX_LIST}).")
        ] = 50,
    ) -> list[Relationship]:
        check_range("first", first, 1, MAX_LIST)
        chosen = check_relationship_types(types)
        rows = await self._rows(info, tuple(chosen) if chosen else None, direction.name, first)
        return [relationship_of(row, self.node["id"]) for row in rows]

    async def _rows(
        self, info: Info, types: tuple[str, ...] | None, direction: str, first: int
    ) -> list[dict]:
        """Relationship rows: prefetched by the root field's query when its plan covered
        this field, else through the request's batch loader."""
        prefetched = self.node.get(PREFETCHED_KEY)
        if prefetched is not None:
            rows = prefetched.get(rel_key(types, direction, first))
            if rows is not None:
                return rows
        return await info.context.relationships.load((self.node["id"], types, direction, first))

    @strawberry.field(
        description="Relationships of any declared type, as pages you can walk to the end: "
        "ordered by type, then by the other end's name; `totalCount` counts them all."
    )
    async def relationships_connection(
        self,
        info: Info,
        types: Annotated[
            list[str] | None,
            strawberry.argument(description='Only these relationship types (e.g. ["LENT"]).'),
        ] = None,
        direction: Annotated[
            Direction, strawberry.argument(description="Which way the relationships point.")
        ] = Direction.BOTH,
        first: Annotated[
            int, strawberry.argument(description=f"Page size (1 to {MAX_LIST}).")
        ] = DEFAULT_PAGE,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor to continue after.")
        ] = None,
    ) -> RelationshipConnection:
        chosen = check_relationship_types(types)
        window = related.generic_window(chosen, direction.name, first, after)
        fetched = await related.fetch(self.node, info, window)
        return RelationshipConnection(node=self.node, window=window, fetched=fetched)


@strawberry.type(description="One relationship of a page, and its cursor.")
class RelationshipEdge:
    cursor: str = strawberry.field(description="Opaque position of this relationship.")
    node: Relationship = strawberry.field(description="The relationship.")


@strawberry.type(description="A page of an entity's relationships of any type.")
class RelationshipConnection:
    node: strawberry.Private[dict]
    window: strawberry.Private[Any]
    fetched: strawberry.Private[Any]

    @strawberry.field(description="The relationships of this page.")
    def edges(self) -> list[RelationshipEdge]:
        return [
            RelationshipEdge(
                cursor=related.cursor_of(self.window, row),
                node=relationship_of(row, self.node["id"]),
            )
            for row in self.fetched.rows[: self.window.first]
        ]

    @strawberry.field(description="Paging information.")
    def page_info(self) -> PageInfo:
        return related.page_info(self.window, self.fetched)

    @strawberry.field(description="How many relationships match, over all pages.")
    async def total_count(self, info: Info) -> int:
        return await related.total_of(self.node, info, self.window, self.fetched)


def relationship_of(row: dict, holder_id: str) -> Relationship:
    """A relationship row (graph.cypher.projection, graph.cypher.related) as seen from
    the entity it was fetched for (`holder_id`)."""
    return Relationship(
        type=row["type"],
        direction=Direction.OUT if row["outgoing"] else Direction.IN,
        other=to_entity(row["other"]),
        props=row["props"],
        holder=holder_id,
    )


def to_entity(node: dict) -> Entity:
    return TYPES[node["kind"]](node=node)


# The concrete type of each kind, built from the domain declaration (it needs Entity).
from graph.types.kinds import build_types  # noqa: E402

TYPES, WRAPPERS = build_types()
