"""Root collection fields, one per declared kind (graph.domain.kinds: its `collection`
name and description), plus `entities` over every kind, built from one template."""

# No `from __future__ import annotations` here: the resolvers' annotations are real
# objects, set per kind below.
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph.domain import DOMAIN, Kind
from graph.resolvers import collections
from graph.types.connections import Connection
from graph.types.entities import TYPES, Entity
from graph.types.filters import EntityWhere, OrderBy

_connection_of: Any = Connection


def collection_field(kind: Kind | None, description: str) -> Any:
    node_type = TYPES[kind] if kind else Entity

    async def resolve(
        info: Info,
        where: Annotated[
            EntityWhere | None, strawberry.argument(description="Only items matching this.")
        ] = None,
        order_by: Annotated[
            OrderBy | None,
            strawberry.argument(description="Sort order (default: name ascending); ties by id."),
        ] = None,
        first: Annotated[
            int, strawberry.argument(description=f"Page size (1-{collections.MAX_PAGE}).")
        ] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor to continue after.")
        ] = None,
    ) -> Any:
        return await collections.page(info, kind, where, order_by, first, after)

    # The page's item type is chosen at run time; Strawberry reads it from here.
    resolve.__annotations__["return"] = _connection_of[node_type]

    return strawberry.field(resolver=resolve, description=description)


def _collections() -> type:
    namespace: dict[str, Any] = {"__annotations__": {}}
    for decl in DOMAIN.kinds:
        namespace[decl.collection] = collection_field(Kind(decl.name), decl.collection_description)
    namespace["entities"] = collection_field(None, "Entities of every kind, paginated.")
    return strawberry.type(type("Collections", (), namespace))


# The root Query inherits these fields (graph.resolvers.query).
Collections = _collections()
