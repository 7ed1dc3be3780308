"""Root collection fields, one per kind, built from one template."""

# No `from __future__ import annotations` here: the resolvers' annotations are real
# objects, set per kind below.
from typing import Annotated

import strawberry
from strawberry.types import Info

from graph.domain import Kind
from graph.resolvers import collections
from graph.types.connections import Connection
from graph.types.entities import TYPES, Entity
from graph.types.filters import EntityWhere, OrderBy


def collection_field(kind: Kind | None, description: str):
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
    ) -> Connection[node_type]:  # type: ignore[valid-type]
        return await collections.page(info, kind, where, order_by, first, after)

    return strawberry.field(resolver=resolve, description=description)


organizations = collection_field(Kind.ORGANIZATION, "Organizations (not banks), paginated.")
banks = collection_field(Kind.BANK, "Banks, paginated.")
people = collection_field(Kind.PERSON, "People, paginated.")
patents = collection_field(Kind.PATENT, "Patents, paginated.")
agreements = collection_field(Kind.AGREEMENT, "Agreements, paginated.")
events = collection_field(Kind.EVENT, "Events, paginated.")
credits = collection_field(Kind.CREDIT, "Credits and loans, paginated.")
grants = collection_field(Kind.GRANT, "Grants, paginated.")
places = collection_field(Kind.PLACE, "Places, paginated.")
entities = collection_field(None, "Entities of every kind, paginated.")
