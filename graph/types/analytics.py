"""Shapes for whole-graph answers: money totals, counts, and the timeline."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from graph.types.entities import Entity
from graph.types.values import EntityKind, Money


@strawberry.enum(description="How credits are grouped for their totals.")
class CreditGrouping(Enum):
    LENDER = strawberry.enum_value(
        "LENDER", description="By lender (LENT); each lender counts a credit in full."
    )
    BORROWER = strawberry.enum_value(
        "BORROWER", description="By borrower (BORROWED); each borrower counts a credit in full."
    )
    CURRENCY = strawberry.enum_value("CURRENCY", description="By currency only.")


@strawberry.enum(description="How agreements are grouped for their totals.")
class AgreementGrouping(Enum):
    PARTY = strawberry.enum_value(
        "PARTY",
        description="By signing party (PARTY_TO); each party counts an agreement's whole "
        "total, which is not split among the parties.",
    )
    CURRENCY = strawberry.enum_value("CURRENCY", description="By currency only.")


@strawberry.type(description="The credits of one group in one currency, added up.")
class CreditTotal:
    entity: Entity | None = strawberry.field(
        description="The lender or borrower; null when grouped by currency, or for credits "
        "whose lender or borrower no source names."
    )
    total: Money = strawberry.field(description="The sum of the credits' amounts.")
    count: int = strawberry.field(description="How many credits were added up.")


@strawberry.type(description="The committed credit of agreements in one group and currency.")
class AgreementTotal:
    entity: Entity | None = strawberry.field(
        description="The signing party; null when grouped by currency, or for agreements "
        "with no known party."
    )
    total: Money = strawberry.field(
        description="The sum of the agreements' total committed credit."
    )
    count: int = strawberry.field(description="How many agreements were added up.")


@strawberry.type(description="How many entities there are of one kind.")
class KindCount:
    kind: EntityKind = strawberry.field(description="The kind.")
    count: int = strawberry.field(description="Entities of that kind; zero when none.")


@strawberry.type(description="How many relationships there are of one declared type.")
class TypeCount:
    type: str = strawberry.field(description="The relationship type, e.g. LENT.")
    count: int = strawberry.field(description="Relationships of that type; zero when none.")


@strawberry.type(description="The size of the graph, counted in one go.")
class GraphStats:
    entities: int = strawberry.field(description="All entities.")
    relationships: int = strawberry.field(
        description="All relationships of declared types (provenance is not counted)."
    )
    sources: int = strawberry.field(description="Sources the graph was built from.")
    entities_by_kind: list[KindCount] = strawberry.field(
        description="Entities per kind, every kind listed (zeros included), in declared order."
    )
    relationships_by_type: list[TypeCount] = strawberry.field(
        description="Relationships per declared type, every type listed (zeros included), "
        "in declared order."
    )


@strawberry.type(description="One dated entity on a timeline, with what its date means.")
class TimelineEntry:
    date: dt.date = strawberry.field(description="The date.")
    label: str = strawberry.field(
        description="What the date marks, e.g. 'event' or 'agreement signed'."
    )
    entity: Entity = strawberry.field(description="The entity the date belongs to.")
