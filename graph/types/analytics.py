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


@strawberry.enum(
    description="How agreements' total committed credit is grouped. Only CURRENCY rows "
    "may be added up; PARTY and ROLE rows overlap (see AgreementTotal.overlapping)."
)
class AgreementGrouping(Enum):
    PARTY = strawberry.enum_value(
        "PARTY",
        description="By signing party (PARTY_TO): each row is the sum of the whole totals of "
        "the agreements the party signed. An agreement with several parties counts in full "
        "in each party's row; the party's own share is not known, and the row is not what "
        "the party committed. Rows overlap: do not add them up.",
    )
    ROLE = strawberry.enum_value(
        "ROLE",
        description="By the role a party signed in (PARTY_TO's role, e.g. 'lender' or "
        "'government'): each row is the sum of the whole totals of the agreements that have "
        "a party in that role, each agreement counted once however many parties share the "
        "role. For 'lender' that is the credit the lenders committed together; for any "
        "other role it is credit committed under agreements such parties signed, not by "
        "them. An agreement counts once in each of its roles' rows, so rows overlap: do not "
        "add them up. Agreements with no party, or with a party whose role is not known, "
        "make the row with role null.",
    )
    CURRENCY = strawberry.enum_value(
        "CURRENCY",
        description="By currency only: each row is the sum of the totals of all agreements "
        "in that currency, each agreement counted once.",
    )


@strawberry.type(description="The credits of one group in one currency, added up.")
class CreditTotal:
    entity: Entity | None = strawberry.field(
        description="The lender or borrower; null when grouped by currency, or for credits "
        "whose lender or borrower no source names."
    )
    total: Money = strawberry.field(description="The sum of the credits' amounts.")
    count: int = strawberry.field(description="How many credits were added up.")


@strawberry.type(
    description="Agreements' total committed credit, added up over one group (a party, a "
    "role, or none) in one currency. What the sum means depends on the grouping; see "
    "AgreementGrouping."
)
class AgreementTotal:
    entity: Entity | None = strawberry.field(
        description="The signing party (grouped by PARTY); null when grouped by ROLE or "
        "CURRENCY, or for agreements with no known party."
    )
    role: str | None = strawberry.field(
        description="The parties' role, e.g. 'lender' (grouped by ROLE); null when grouped "
        "by PARTY or CURRENCY, or for agreements with no party or a party whose role is "
        "not known."
    )
    total: Money = strawberry.field(
        description="The sum of the whole total committed credit (by all lenders together) "
        "of the agreements in this row, each counted once here and never split among "
        "parties. Grouped by PARTY it is not what the party committed (its share is not "
        "known); grouped by ROLE it is what the lenders committed together only for the "
        "role 'lender'; grouped by CURRENCY it is the total of all the agreements in that "
        "currency."
    )
    count: int = strawberry.field(description="How many agreements were added up in this row.")
    overlapping: bool = strawberry.field(
        description="True when rows may count the same agreement more than once, so they "
        "must not be added up: grouped by PARTY (one row for each party of an agreement) "
        "or ROLE (one row for each role in an agreement). False grouped by CURRENCY, whose "
        "rows count each agreement once."
    )


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
