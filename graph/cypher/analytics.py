"""Whole-graph answers: money totals, counts, and dated things in order. One query each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from graph.cypher.common import relationship_pattern
from graph.cypher.plan import Plan
from graph.cypher.projection import project
from graph.db import Cypher
from graph.domain import RELATIONSHIP_TYPES, Kind


@dataclass(frozen=True)
class Amount:
    """Where a kind keeps a sum of money: its label, the number and the currency code."""

    kind: Kind
    amount: str
    currency: str


CREDIT_AMOUNT = Amount(Kind.CREDIT, "amount", "currency")
AGREEMENT_TOTAL = Amount(Kind.AGREEMENT, "totalCredit", "totalCreditCurrency")

# Grouping keys: the relationship whose start node is the group, or None for currency.
CREDIT_GROUPS: dict[str, str | None] = {"LENDER": "LENT", "BORROWER": "BORROWED", "CURRENCY": None}
AGREEMENT_GROUPS: dict[str, str | None] = {"PARTY": "PARTY_TO", "CURRENCY": None}

# Each dated property of the domain, and what its date means on a timeline.
TIMELINE_DATES: dict[tuple[Kind, str], str] = {
    (Kind.EVENT, "date"): "event",
    (Kind.AGREEMENT, "signedOn"): "agreement signed",
}

MAX_TIMELINE_HOPS = 3


def money_totals(
    what: Amount,
    groups: dict[str, str | None],
    group_by: str,
    currency: str | None,
    plan: Plan | None = None,
) -> Cypher:
    """The sum of `what` per group and currency (one row each), largest first.

    A group is the entity at the start of the grouping relationship; each thing counts
    in full for every such entity (a shared amount is not split), and things with no
    such entity form a group of their own (`entity` null). Grouped by currency,
    `entity` is always null. Things without an amount or a currency are left out.
    """
    rel_type = groups[group_by]
    if rel_type is None:
        grouping = "WITH t, null AS g "
    else:
        grouping = f"OPTIONAL MATCH (g:Entity)-[{relationship_pattern([rel_type])}]->(t) "
    # Label and property names come from the declared domain above, never from a client.
    query = (
        f"MATCH (t:{what.kind.label}) "
        f"WHERE t.{what.amount} IS NOT NULL AND t.{what.currency} IS NOT NULL "
        f"AND ($currency IS NULL OR t.{what.currency} = $currency) "
        + grouping
        + f"WITH g, t.{what.currency} AS currency, sum(t.{what.amount}) AS total, "
        "count(DISTINCT t) AS count "
        "RETURN {entity} AS entity, currency, total, count "
        "ORDER BY total DESC, currency, entity.name, entity.id"
    )
    params: dict = {"currency": currency}
    return query.replace("{entity}", project("g", plan, params)), params


def credit_totals(group_by: str, currency: str | None = None, plan: Plan | None = None) -> Cypher:
    return money_totals(CREDIT_AMOUNT, CREDIT_GROUPS, group_by, currency, plan)


def agreement_totals(
    group_by: str, currency: str | None = None, plan: Plan | None = None
) -> Cypher:
    return money_totals(AGREEMENT_TOTAL, AGREEMENT_GROUPS, group_by, currency, plan)


def graph_stats() -> Cypher:
    """Entities per kind and relationships per declared type, every one of them (zeros
    included), sources, and all entities. Each count is read from Neo4j's count store,
    so the query costs the same on any size of graph."""
    kinds = ", ".join(f"{k.value}: COUNT {{ (:{k.label}) }}" for k in Kind)
    types = ", ".join(f"{t}: COUNT {{ ()-[:{t}]->() }}" for t in RELATIONSHIP_TYPES)
    query = (
        f"RETURN {{{kinds}}} AS kinds, {{{types}}} AS types, "
        "COUNT { (:Source) } AS sources, COUNT { (:Entity) } AS entities"
    )
    return query, {}


def _dated() -> list[dict[str, str]]:
    return [
        {"kind": kind.value, "property": prop, "label": label}
        for (kind, prop), label in TIMELINE_DATES.items()
    ]


def timeline(
    entity_id: str | None,
    hops: int,
    date_from: dt.date | None,
    date_to: dt.date | None,
    first: int,
    types: list[str] | None = None,
    plan: Plan | None = None,
) -> Cypher:
    """Dated entities in date order, each date with what it means.

    With an id, only that entity and those within `hops` of it; without, every dated
    entity. Dates are bounded by `date_from` and `date_to`, both included.
    """
    if entity_id is None:
        scope = "MATCH (n:Entity) WHERE n.kind IN [d IN $dated | d.kind] "
    else:
        if not 1 <= hops <= MAX_TIMELINE_HOPS:
            raise ValueError("hops out of range")
        # The hop bound is an integer checked above; Cypher does not take it as a parameter.
        scope = (
            "MATCH (c:Entity {id: $id}) "
            "CALL (c) { "
            f"  MATCH (c)-[{relationship_pattern(types)}*0..{int(hops)}]-(m:Entity) "
            "  RETURN DISTINCT m AS n "
            "} "
        )
    query = scope + (
        "UNWIND [d IN $dated WHERE d.kind = n.kind AND n[d.property] IS NOT NULL "
        "        | {date: n[d.property], label: d.label}] AS e "
        "WITH n, e "
        "WHERE ($from IS NULL OR e.date >= $from) AND ($to IS NULL OR e.date <= $to) "
        "RETURN e.date AS date, e.label AS label, {node} AS node "
        "ORDER BY date, label, n.name, n.id LIMIT $first"
    )
    params: dict = {
        "id": entity_id,
        "dated": _dated(),
        "from": date_from,
        "to": date_to,
        "first": first,
    }
    return query.replace("{node}", project("n", plan, params)), params
