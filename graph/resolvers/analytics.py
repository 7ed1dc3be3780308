"""Money totals, graph statistics and the timeline."""

from __future__ import annotations

import datetime as dt
import re

from strawberry.types import Info

from graph.cypher import analytics as q
from graph.cypher.plan import DEFAULT_LIST, MAX_LIST
from graph.db import Cypher
from graph.domain import RELATIONSHIP_TYPES, Kind
from graph.errors import BadUserInput
from graph.resolvers.arguments import check_range
from graph.resolvers.context import Context
from graph.resolvers.selection import plan_for
from graph.types.analytics import (
    AgreementGrouping,
    AgreementTotal,
    CreditGrouping,
    CreditTotal,
    GraphStats,
    KindCount,
    TimelineEntry,
    TypeCount,
)
from graph.types.entities import Entity, to_entity
from graph.types.values import EntityKind, Money

MAX_TIMELINE = 500
_CURRENCY = re.compile(r"[A-Z]{3}")


def check_currency(value: str | None) -> str | None:
    if value is None:
        return None
    code = value.strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise BadUserInput(
            f"`currency` must be a three-letter ISO 4217 code such as CNY; got {value[:20]!r}."
        )
    return code


def _total(row: dict) -> tuple[Entity | None, Money, int]:
    entity = to_entity(row["entity"]) if row["entity"] is not None else None
    return entity, Money(amount=float(row["total"]), currency=row["currency"]), row["count"]


async def _rows(info: Info, cypher: Cypher) -> list[dict]:
    """The rows of a money total (graph.cypher.analytics.money_totals: one record)."""
    [record] = await info.context.db.read(cypher)
    return record["rows"]


async def credit_totals(
    info: Info, group_by: CreditGrouping, currency: str | None, first: int = DEFAULT_LIST
) -> list[CreditTotal]:
    check_range("first", first, 1, MAX_LIST)
    plan = plan_for(info, ("entity",))
    cypher = q.credit_totals(group_by.name, check_currency(currency), plan, first)
    rows = await _rows(info, cypher)
    return [
        CreditTotal(entity=entity, total=total, count=count)
        for entity, total, count in map(_total, rows)
    ]


async def agreement_totals(
    info: Info, group_by: AgreementGrouping, currency: str | None, first: int = DEFAULT_LIST
) -> list[AgreementTotal]:
    check_range("first", first, 1, MAX_LIST)
    plan = plan_for(info, ("entity",))
    cypher = q.agreement_totals(group_by.name, check_currency(currency), plan, first)
    overlapping = q.AGREEMENT_GROUPS[group_by.name].overlapping
    rows = await _rows(info, cypher)
    totals = []
    for row in rows:
        entity, total, count = _total(row)
        totals.append(
            AgreementTotal(
                entity=entity, role=row["role"], total=total, count=count, overlapping=overlapping
            )
        )
    return totals


async def graph_stats(ctx: Context) -> GraphStats:
    [row] = await ctx.db.read(q.graph_stats())
    by_type = [TypeCount(type=t, count=row["types"][t]) for t in RELATIONSHIP_TYPES]
    return GraphStats(
        entities=row["entities"],
        relationships=sum(c.count for c in by_type),
        sources=row["sources"],
        entities_by_kind=[
            KindCount(kind=EntityKind(k.value), count=row["kinds"][k.value]) for k in Kind
        ],
        relationships_by_type=by_type,
    )


async def timeline(
    info: Info,
    entity_id: str | None,
    hops: int,
    date_from: dt.date | None,
    date_to: dt.date | None,
    first: int,
) -> list[TimelineEntry]:
    check_range("hops", hops, 1, q.MAX_TIMELINE_HOPS)
    check_range("first", first, 1, MAX_TIMELINE)
    if date_from is not None and date_to is not None and date_from > date_to:
        raise BadUserInput(f"`from` ({date_from}) must not be after `to` ({date_to}).")
    plan = plan_for(info, ("entity",))
    cypher = q.timeline(entity_id, hops, date_from, date_to, first, plan=plan)
    rows = await info.context.db.read(cypher)
    return [
        TimelineEntry(date=row["date"], label=row["label"], entity=to_entity(row["node"]))
        for row in rows
    ]
