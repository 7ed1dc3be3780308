"""Relay-style connections for collections: edges with opaque cursors, pageInfo, totalCount."""

from __future__ import annotations

from typing import Generic, TypeVar

import strawberry

T = TypeVar("T")


@strawberry.type(description="Where a page sits in its collection.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` to get the next page.")


@strawberry.type(description="One item of a page and its cursor.")
class CollectionEdge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque position of this item.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a collection.")
class Connection(Generic[T]):
    edges: list[CollectionEdge[T]] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Paging information.")
    total: strawberry.Private[int | None]

    @strawberry.field(description="How many items match the filter, over all pages.")
    def total_count(self) -> int:
        return self.total or 0
