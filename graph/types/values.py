"""Enums and value types shared by the entity types."""

from __future__ import annotations

import datetime as dt
import importlib
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph.domain import KIND_DESCRIPTIONS, Kind
from graph.types.connections import Connection
from graph.types.node import Node

# Built from the declared kinds: its members exist only at run time, so the functional
# API is reached through an Any, which a type checker does not try to follow.
_make_enum: Any = Enum
_entity_kinds = _make_enum(
    "EntityKind",
    {k.value: strawberry.enum_value(k.value, description=KIND_DESCRIPTIONS[k]) for k in Kind},
)
EntityKind = strawberry.enum(
    _entity_kinds,
    description="What an entity is. Each kind has a concrete type with typed relationship fields.",
)


@strawberry.enum(description="Which way a relationship points, seen from the entity asked.")
class Direction(Enum):
    OUT = strawberry.enum_value("OUT", description="From this entity to the other one.")
    IN = strawberry.enum_value("IN", description="From the other entity to this one.")
    BOTH = strawberry.enum_value("BOTH", description="Either way.")


@strawberry.type(description="An amount of money in one currency.")
class Money:
    amount: float = strawberry.field(description="The amount, in the currency's unit.")
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. CNY or USD.")

    @staticmethod
    def of(amount: float | None, currency: str | None) -> Money | None:
        if amount is None or not currency:
            return None
        return Money(amount=float(amount), currency=currency)


# What a source asserts (graph/resolvers/retraction.py). The types these return are built
# from the entity types, which are built from this module's: they are named lazily, in
# annotations set at run time, and the resolvers module is imported when first called.
_Page: Any = Connection
_PageSize = Annotated[int, strawberry.argument(description="Page size (1 to 1000).")]
_After = Annotated[str | None, strawberry.argument(description="Cursor to continue after.")]


def _retraction() -> Any:
    # By name: an import statement, even in a function, would make this module and the
    # entity types one import cycle for the type checker.
    return importlib.import_module("graph.resolvers.retraction")


async def _entities_asserted(self: Any, info: Info, first: int = 100, after: Any = None) -> Any:
    return await _retraction().entities_asserted(info, str(self.id), first, after)


async def _relationships_asserted(
    self: Any, info: Info, first: int = 100, after: Any = None
) -> Any:
    return await _retraction().relationships_asserted(info, str(self.id), first, after)


def _page_of(name: str) -> Any:
    """`Connection[<name>]`, the type named lazily (graph.types.retraction)."""
    annotated: Any = Annotated
    return _Page[annotated[name, strawberry.lazy("graph.types.retraction")]]


for _resolver, _item in (
    (_entities_asserted, "AssertedEntity"),
    (_relationships_asserted, "AssertedRelationship"),
):
    _resolver.__annotations__ = {
        "info": Info,
        "first": _PageSize,
        "after": _After,
        "return": _page_of(_item),
    }


@strawberry.type(description="A document that facts were taken from, e.g. a news article.")
class Source(Node):
    id: strawberry.ID = strawberry.field(description="Stable id of the source (a slug).")
    title: str = strawberry.field(description="The source's title or headline.")
    publisher: str | None = strawberry.field(description="Who published it.")
    published_on: dt.date | None = strawberry.field(description="Publication date.")
    authors: list[str] = strawberry.field(description="Authors named by the source.")
    editors: list[str] = strawberry.field(description="Editors named by the source.")
    url: str | None = strawberry.field(description="Where the source can be read, if known.")
    retracted: bool = strawberry.field(
        default=False,
        description="True once an admin retracted it (`retractSource`): nothing in the "
        "graph stands on its word until `restoreSource`.",
    )

    entities_asserted = strawberry.field(
        resolver=_entities_asserted,
        description="The entities this source asserts, in id order, as pages; each says "
        "whether this source alone asserts it (what `retractSource` would remove) and the "
        "values it gives.",
    )
    relationships_asserted = strawberry.field(
        resolver=_relationships_asserted,
        description="The relationships this source asserts, ordered by start id, type and "
        "end id, as pages; each says whether this source alone asserts it.",
    )

    @staticmethod
    def from_node(node: dict) -> Source:
        return Source(
            id=strawberry.ID(node["id"]),
            title=node.get("title", ""),
            publisher=node.get("publisher"),
            published_on=node.get("publishedOn"),
            authors=list(node.get("authors") or []),
            editors=list(node.get("editors") or []),
            url=node.get("url"),
            retracted=bool(node.get("retracted")),
        )


@strawberry.type(description="Where a fact came from: a source and a place within it.")
class Provenance:
    source: Source = strawberry.field(description="The source that asserts the fact.")
    paragraph: int | None = strawberry.field(
        description="Body paragraph number (1 = first paragraph of the body), when the "
        "fact comes from the body."
    )
    locator: str | None = strawberry.field(
        description="Another place in the source, such as 'headline' or 'byline'."
    )


async def provenance_of(
    info: Info, entries: list[str] | None, prefetched: list[dict] | None = None
) -> list[Provenance]:
    """Provenance entries are stored as `source|paragraph|locator` strings; their sources
    come prefetched with the node (`__src`) or through the request's loader."""
    parsed = [entry.split("|", 2) for entry in entries or []]
    if prefetched is not None:
        by_id = {s["id"]: s for s in prefetched}
        sources = [by_id.get(p[0]) for p in parsed]
    else:
        sources = await info.context.sources.load_many([p[0] for p in parsed])
    out = []
    for (_, paragraph, locator), source in zip(parsed, sources, strict=True):
        if source is None:
            continue
        out.append(
            Provenance(
                source=Source.from_node(source),
                paragraph=int(paragraph) if paragraph else None,
                locator=locator or None,
            )
        )
    return out
