"""Paths and subgraphs: entities and the edges between them, ready to draw."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graph.claims import contested
from graph.cypher.nodes import relationship_id
from graph.cypher.plan import SOURCES_KEY
from graph.types.claims import (
    CLAIMS_DESCRIPTION,
    CONTESTED_DESCRIPTION,
    Claim,
    PropertyArg,
    claims_for,
)
from graph.types.entities import Entity, public_properties
from graph.types.node import Node
from graph.types.values import Provenance, provenance_of


@strawberry.type(
    description="A relationship as an edge between two ids: the same whichever end it is "
    "reached from, so it is the relationship's Node (`node(id:)` returns it)."
)
class Edge(Node):
    type: str = strawberry.field(description="Relationship type.")
    from_: strawberry.ID = strawberry.field(name="from", description="Id of the start node.")
    to: strawberry.ID = strawberry.field(description="Id of the end node.")
    props: strawberry.Private[dict]

    @strawberry.field(
        description="Stable id, `from|TYPE|to`: the ends' ids around the type (one "
        "relationship of a type joins two entities in one direction at most)."
    )
    def id(self) -> strawberry.ID:
        return strawberry.ID(relationship_id(self.from_, self.type, self.to))

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

    @staticmethod
    def from_row(row: dict) -> Edge:
        return Edge(type=row["type"], from_=row["from"], to=row["to"], props=row["props"])


@strawberry.type(description="A path: nodes in order and the edges between them.")
class Path:
    length: int = strawberry.field(description="Number of edges.")
    nodes: list[Entity] = strawberry.field(description="Entities from start to end.")
    edges: list[Edge] = strawberry.field(description="Edges in path order.")


@strawberry.type(description="A set of nodes and the edges among them, ready to draw.")
class Subgraph:
    nodes: list[Entity] = strawberry.field(description="The entities.")
    edges: list[Edge] = strawberry.field(description="Relationships among them.")
    truncated: bool = strawberry.field(
        default=False,
        description="True when the answer was cut short: more nodes than `limit`, or more "
        "edges among them than 3 x `limit`.",
    )
