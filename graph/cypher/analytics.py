"""Whole-graph answers: money totals, counts, and dated things in order. One query each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from graph.cypher.common import relationship_pattern
from graph.cypher.plan import DEFAULT_LIST, Plan
from graph.cypher.projection import project
from graph.db import Cypher
from graph.domain import DOMAIN, RELATIONSHIP_TYPES, TOTALS, Kind, Property


@dataclass(frozen=True)
class Amount:
    """Where a kind keeps a sum of money: its label, the number and the currency code."""

    kind: Kind
    amount: str
    currency: str


def _amount(kind: str) -> Amount:
    """The money a kind totals, as its declaration says (graph.domain.TOTALS)."""
    money = TOTALS[Kind(kind)]
    return Amount(Kind(kind), money.amount, money.currency)


CREDIT_AMOUNT = _amount("CREDIT")
AGREEMENT_TOTAL = _amount("AGREEMENT")


@dataclass(frozen=True)
class Grouping:
    """What one row of a total stands for.

    With no relationship, a currency only. With a relationship and no property, the entity
    at the relationship's start (each thing counts in full for every such entity). With a
    property too, that property's value on the relationship, e.g. a party's role: each
    thing counts once per value however many relationships carry it.
    """

    relationship: str | None = None
    prop: str | None = None

    @property
    def overlapping(self) -> bool:
        """Whether one thing can count in several rows, so the rows must not be added up."""
        return self.relationship is not None


def _by_property(rel_type: str, name: str) -> Grouping:
    """A grouping by a declared property of a declared relationship type (its stored name)."""
    prop = RELATIONSHIP_TYPES[rel_type].property(name)
    if not isinstance(prop, Property):
        raise ValueError(f"{rel_type} declares no plain property {name!r} to group by")
    return Grouping(rel_type, prop.stored)


BY_CURRENCY = Grouping()
CREDIT_GROUPS: dict[str, Grouping] = {
    "LENDER": Grouping("LENT"),
    "BORROWER": Grouping("BORROWED"),
    "CURRENCY": BY_CURRENCY,
}
AGREEMENT_GROUPS: dict[str, Grouping] = {
    "PARTY": Grouping("PARTY_TO"),
    "ROLE": _by_property("PARTY_TO", "role"),
    "CURRENCY": BY_CURRENCY,
}

# Each dated property of the domain, and what its date means on a timeline.
TIMELINE_DATES: dict[tuple[Kind, str], str] = {
    (Kind(k.name), column): k.date_meaning or k.label.lower()
    for k in DOMAIN.kinds
    if (column := k.date_column()) is not None
}

MAX_TIMELINE_HOPS = 3


def money_totals(
    what: Amount,
    groups: dict[str, Grouping],
    group_by: str,
    currency: str | None,
    plan: Plan | None = None,
    first: int = DEFAULT_LIST,
) -> Cypher:
    """The sum of `what` per group and currency (one row each), largest first, at most
    `first` of them (sorted before the groups' entities are projected).

    One record whose `rows` are maps of `entity, role, currency, total, count`. Grouped
    by an entity, a group is the entity at the start of the grouping relationship, and
    each thing counts in full for every such entity (a shared amount is not split, so
    rows overlap); things with no such entity form a group of their own (`entity` null).
    Grouped by a property of the relationship (`role`), each thing counts once per value
    of it however many relationships carry that value; things with no such relationship,
    or whose relationships lack the property, form the group `role` null. Grouped by
    currency, each thing counts once. Things without an amount or a currency are left
    out.
    """
    grouping = groups[group_by]
    if grouping.relationship is None:
        keys = "WITH t, null AS g, null AS role "
    else:
        pattern = relationship_pattern([grouping.relationship])
        if grouping.prop is None:
            # No DISTINCT: a pair of entities holds at most one relationship of a type
            # (its id is `from|TYPE|to`; writes MERGE it between locked ends or check
            # before creating), so each thing comes once per group already. The
            # DISTINCT cost ~5 ms of a 70 ms credit total on 10^5 entities.
            keys = f"OPTIONAL MATCH (g:Entity)-[{pattern}]->(t) WITH t, g, null AS role "
        else:
            keys = (
                f"OPTIONAL MATCH (:Entity)-[r{pattern}]->(t) "
                f"WITH DISTINCT t, null AS g, r.{grouping.prop} AS role "
            )
    # Label, type and property names come from the declared domain above, never from a
    # client. Each thing appears at most once per group, so the sum counts its amount
    # once there and `count` is the number of things added up.
    query = (
        f"MATCH (t:{what.kind.label}) "
        f"WHERE t.{what.amount} IS NOT NULL AND t.{what.currency} IS NOT NULL "
        f"AND ($currency IS NULL OR t.{what.currency} = $currency) "
        + keys
        + f"WITH g, role, t.{what.currency} AS currency, sum(t.{what.amount}) AS total, "
        "count(t) AS count "
        "ORDER BY total DESC, currency, role, g.name, g.id LIMIT $first "
        # One record holding every row, in this order: the driver's cost per record was
        # ~10% of the query (bench/FINDINGS.md).
        "RETURN collect({entity: {entity}, role: role, currency: currency, total: total, "
        "count: count}) AS rows"
    )
    params: dict = {"currency": currency, "first": first}
    return query.replace("{entity}", project("g", plan, params)), params


def credit_totals(
    group_by: str,
    currency: str | None = None,
    plan: Plan | None = None,
    first: int = DEFAULT_LIST,
) -> Cypher:
    return money_totals(CREDIT_AMOUNT, CREDIT_GROUPS, group_by, currency, plan, first)


def agreement_totals(
    group_by: str,
    currency: str | None = None,
    plan: Plan | None = None,
    first: int = DEFAULT_LIST,
) -> Cypher:
    return money_totals(AGREEMENT_TOTAL, AGREEMENT_GROUPS, group_by, currency, plan, first)


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
