"""Enums and value types shared by the entity types."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

import strawberry

from graph.domain import KIND_DESCRIPTIONS, Kind
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


@strawberry.type(description="A document that facts were taken from, e.g. a news article.")
class Source(Node):
    id: strawberry.ID = strawberry.field(description="Stable id of the source (a slug).")
    title: str = strawberry.field(description="The source's title or headline.")
    publisher: str | None = strawberry.field(description="Who published it.")
    published_on: dt.date | None = strawberry.field(description="Publication date.")
    authors: list[str] = strawberry.field(description="Authors named by the source.")
    editors: list[str] = strawberry.field(description="Editors named by the source.")
    url: str | None = strawberry.field(description="Where the source can be read, if known.")

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
