"""Input types for collection filters and ordering."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

import strawberry

from graph.domain import (
    BOOL,
    DATE,
    DECLS,
    DOMAIN,
    INT,
    NUMBER,
    RELATIONSHIP_PROPERTY_DECLS,
    TEXT,
    Money,
    Property,
)
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


@strawberry.input(description="A numeric range; both ends inclusive.")
class NumberFilter:
    min: float | None = strawberry.field(default=None, description="At least this.")
    max: float | None = strawberry.field(default=None, description="At most this.")


def edge_filter(prop: Property | Money) -> Any:
    """The input a relationship property of this type is filtered with (None: it is not;
    a list of text)."""
    if isinstance(prop, Money):
        return MoneyFilter
    by_type = {
        TEXT: StringFilter,
        DATE: DateFilter,
        INT: NumberFilter,
        NUMBER: NumberFilter,
        BOOL: bool,
    }
    return by_type.get(prop.type)


def add_edge_filters(cls: type, props: dict[str, Property | Money], describe: Any) -> type:
    """`cls` with one optional field per filterable property (named as declared, which
    is how graph.cypher.filters.edge_clauses finds each one's declaration)."""
    annotations = cls.__dict__.get("__annotations__", {})
    for name, prop in props.items():
        kind = edge_filter(prop)
        if kind is None:
            continue
        annotations[name] = kind | None
        setattr(cls, name, strawberry.field(default=None, name=name, description=describe(prop)))
    cls.__annotations__ = annotations
    return cls


def _declared_by(prop: Property | Money) -> str:
    types = ", ".join(r.name for r in DOMAIN.relationship_types if r.property(prop.name))
    if edge_filter(prop) is bool:
        return f"The relationship's `{prop.name}` is this ({types})."
    return f"Conditions on the relationship's `{prop.name}` ({types})."


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


# And one field per declared relationship property (`title`, `role`, `since`, ...): a
# condition on it, by its type.
strawberry.input(
    add_edge_filters(RelatedFilter, RELATIONSHIP_PROPERTY_DECLS, _declared_by),
    description="The entity has a relationship of this type to an entity matching `where` "
    "and whose own properties meet the conditions given (nestable: organizations that "
    "BORROWED a credit that Bank of Beijing LENT).",
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
