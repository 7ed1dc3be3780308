"""The root fields an Apollo Federation 2 subgraph adds (FEDERATION=1; README.md, "Global
ids and federation"): `_service { sdl }` and `_entities(representations:)`, which
resolves every representation of a request in one query (graph.resolvers.nodes), merged
ids to their survivors, shaped for the selection like `node`."""

from __future__ import annotations

from typing import Annotated, Any, Union, cast

import strawberry
from strawberry.federation.schema import FederationAny
from strawberry.types import Info

from graph.resolvers.nodes import fetch_nodes
from graph.resolvers.query import Query
from graph.types.entities import TYPES
from graph.types.subgraphs import Edge
from graph.types.values import Source

# Every type that implements Node is a federation entity keyed by its id.
ENTITY_TYPES: tuple[type, ...] = (*TYPES.values(), Source, Edge)
_Entity: Any = Annotated[Union[ENTITY_TYPES], strawberry.union("_Entity")]  # noqa: UP007


@strawberry.type(name="_Service")
class Service:
    sdl: str = strawberry.field(description="This subgraph's schema, with its @key directives.")


# Set by graph.schema when it builds the federated schema (the SDL is printed while the
# entity types carry their @key directives, see graph.schema.federation_schema).
SDL: list[str] = []


def _type_name(node: Any) -> str | None:
    definition = getattr(node, "__strawberry_definition__", None)
    return definition.name if definition is not None else None


@strawberry.type(name="Query", description=Query.__strawberry_definition__.description)
class FederatedQuery(Query):
    @strawberry.field(name="_service", description="The subgraph's SDL, for the router.")
    def service_(self) -> Service:
        return Service(sdl=SDL[0] if SDL else "")

    @strawberry.field(
        name="_entities",
        description="The entity each representation names ({__typename, id}), in order: "
        "null when no node of that type has the id (a merged-away id gives its survivor).",
    )
    async def entities_(
        self, info: Info, representations: list[FederationAny]
    ) -> list[_Entity | None]:
        # The _Any scalar's values are the JSON objects the router sent.
        sent = cast(list[dict[str, Any]], representations)
        asked = [(r.get("__typename"), r.get("id")) for r in sent]
        found = await fetch_nodes(info, [str(i) if isinstance(i, str) else "" for _, i in asked])
        return [
            node if node is not None and _type_name(node) == type_name else None
            for (type_name, _), node in zip(asked, found, strict=True)
        ]
