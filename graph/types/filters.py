"""Input types for collection filters and ordering."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from graph.domain import DECLS
from graph.types.values import Direction, EntityKind

# What `date` and `amount` mean, per kind, from the domain declaration.
DATES = "; ".join(f"{d.label} `{d.date}`" for d in DECLS.values() if d.date) or "none"
AMOUNTS = "; ".join(f"{d.label} `{d.totals}`" for d in DECLS.values() if d.totals) or "none"


@strawberry.input(description="Conditions on a text value; all given conditions must hold.")
class StringFilter:
    equals: str | None = strawberry.field(default=None, description="Exactly this text.")
    contains: str | None = strawberry.field(default=None, description="Contains this text.")
    starts_with: str | None = strawberry.field(default=None, description="Starts with this.")
    in_: list[str] | None = strawberry.field(
        default=None, name="in", description="Equal to one of these."
    )
    case_insensitive: bool = strawberry.field(
        default=True, description="Compare ignoring case (the default)."
    )


@strawberry.input(description="A date range; both ends inclusive.")
class DateFilter:
    after: dt.date | None = strawberry.field(default=None, description="On or after this day.")
    before: dt.date | None = strawberry.field(default=None, description="On or before this day.")


@strawberry.input(description="A money range in one currency; both ends inclusive.")
class MoneyFilter:
    min: float | None = strawberry.field(default=None, description="At least this amount.")
    max: float | None = strawberry.field(default=None, description="At most this amount.")
    currency: str | None = strawberry.field(
        default=None, description="ISO 4217 code the amount is in, e.g. CNY."
    )


@strawberry.input(
    description="The entity has a relationship of this type to an entity matching `where` "
    "(nestable: organizations that BORROWED a credit that Bank of Beijing LENT)."
)
class RelatedFilter:
    type: str | None = strawberry.field(
        default=None, description="Relationship type, e.g. BORROWED; any declared type if omitted."
    )
    direction: Direction = strawberry.field(
        default=Direction.BOTH, description="Which way the relationship points from here."
    )
    where: EntityWhere | None = strawberry.field(
        default=None, description="Conditions on the entity at the other end."
    )
    title: StringFilter | None = strawberry.field(
        default=None, description="Conditions on the relationship's `title` (positions)."
    )
    role: StringFilter | None = strawberry.field(
        default=None, description="Conditions on the relationship's `role` (parties)."
    )


@strawberry.input(description="Conditions on entities, combinable with AND, OR and NOT.")
class EntityWhere:
    id: strawberry.ID | None = strawberry.field(default=None, description="This id.")
    ids: list[strawberry.ID] | None = strawberry.field(default=None, description="These ids.")
    name: StringFilter | None = strawberry.field(
        default=None, description="Conditions on the name or any alias."
    )
    kinds: list[EntityKind] | None = strawberry.field(
        default=None, description="One of these kinds."
    )
    date: DateFilter | None = strawberry.field(
        default=None, description=f"The date each kind declares: {DATES}."
    )
    amount: MoneyFilter | None = strawberry.field(
        default=None, description=f"The money each kind declares it totals: {AMOUNTS}."
    )
    related: list[RelatedFilter] | None = strawberry.field(
        default=None, description="Has each of these relationships."
    )
    not_related: list[RelatedFilter] | None = strawberry.field(
        default=None, description="Has none of these relationships."
    )
    and_: list[EntityWhere] | None = strawberry.field(
        default=None, name="AND", description="All of these hold."
    )
    or_: list[EntityWhere] | None = strawberry.field(
        default=None, name="OR", description="At least one of these holds."
    )
    not_: EntityWhere | None = strawberry.field(
        default=None, name="NOT", description="This does not hold."
    )


@strawberry.enum(description="What to sort a collection by.")
class SortKey(Enum):
    NAME = strawberry.enum_value("NAME", description="Name, ignoring case.")
    DATE = strawberry.enum_value("DATE", description=f"The declared date: {DATES}.")
    AMOUNT = strawberry.enum_value(
        "AMOUNT", description=f"The declared money, by amount: {AMOUNTS}."
    )


@strawberry.enum(description="Sort direction.")
class SortDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Smallest first.")
    DESC = strawberry.enum_value("DESC", description="Largest first.")


@strawberry.input(description="Sort order; ties are always broken by id.")
class OrderBy:
    key: SortKey = strawberry.field(default=SortKey.NAME, description="What to sort by.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="Which way.")
