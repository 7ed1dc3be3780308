"""The analytics builders need no database: labels, types and properties come from the
declared domain, and everything a client sends travels as a parameter."""

import datetime as dt

import pytest

from graph.cypher import analytics
from graph.cypher.plan import DEFAULT_LIST
from graph.domain import (
    DATE,
    KIND_PROPERTIES,
    RELATIONSHIP_PROPERTIES,
    RELATIONSHIP_TYPES,
    TOTALS,
    Kind,
)


@pytest.mark.parametrize(
    ("group_by", "rel_type"), [("LENDER", ":LENT]"), ("BORROWER", ":BORROWED]")]
)
def test_credit_totals_group_by_the_incoming_relationship(group_by, rel_type):
    query, params = analytics.credit_totals(group_by, "CNY")
    assert query.startswith("MATCH (t:Credit) ")
    assert f"OPTIONAL MATCH (g:Entity)-[{rel_type}->(t)" in query
    assert "sum(t.amount)" in query
    assert "t.currency = $currency" in query
    assert "ORDER BY total DESC" in query
    assert params == {"currency": "CNY", "first": DEFAULT_LIST}


def test_credit_totals_by_currency_match_no_relationship():
    query, params = analytics.credit_totals("CURRENCY")
    assert "OPTIONAL MATCH" not in query
    assert "null AS g" in query
    assert params == {"currency": None, "first": DEFAULT_LIST}


def test_agreement_totals_sum_total_credit_per_party():
    query, _ = analytics.agreement_totals("PARTY")
    assert query.startswith("MATCH (t:Agreement) ")
    assert "(g:Entity)-[:PARTY_TO]->(t)" in query
    assert "sum(t.totalCredit)" in query
    assert "t.totalCreditCurrency AS currency" in query


def test_agreement_totals_per_party_count_each_agreement_once_per_party():
    query, _ = analytics.agreement_totals("PARTY")
    # A party holds at most one PARTY_TO to an agreement (relationship ids are
    # `from|TYPE|to`), so one row per party and agreement, with no DISTINCT pass.
    assert "WITH t, g, null AS role " in query
    assert "sum(t.totalCredit) AS total, count(t) AS count" in query
    assert analytics.AGREEMENT_GROUPS["PARTY"].overlapping


def test_agreement_totals_per_role_count_each_agreement_once_per_role():
    query, params = analytics.agreement_totals("ROLE", "CNY")
    assert query.startswith("MATCH (t:Agreement) ")
    # No entity is a group: the relationship's role is, each agreement once per role.
    assert "OPTIONAL MATCH (:Entity)-[r:PARTY_TO]->(t) " in query
    assert "WITH DISTINCT t, null AS g, r.role AS role " in query
    assert "WITH g, role, t.totalCreditCurrency AS currency, sum(t.totalCredit) AS total" in (query)
    # One record: every row in a list, in the order above.
    assert query.endswith(
        "RETURN collect({entity: properties(g), role: role, currency: currency, "
        "total: total, count: count}) AS rows"
    )
    assert "ORDER BY total DESC, currency, role, " in query
    assert "t.totalCreditCurrency = $currency" in query
    assert params == {"currency": "CNY", "first": DEFAULT_LIST}


def test_the_role_grouping_reads_the_declared_property_of_party_to():
    grouping = analytics.AGREEMENT_GROUPS["ROLE"]
    assert grouping.relationship == "PARTY_TO"
    assert grouping.prop in RELATIONSHIP_PROPERTIES["PARTY_TO"]
    assert grouping.overlapping
    with pytest.raises(ValueError, match="no plain property"):
        analytics._by_property("PARTY_TO", "share")


def test_agreement_totals_per_currency_do_not_overlap():
    query, _ = analytics.agreement_totals("CURRENCY")
    assert "OPTIONAL MATCH" not in query
    assert "WITH t, null AS g, null AS role " in query
    assert not analytics.AGREEMENT_GROUPS["CURRENCY"].overlapping


def test_agreement_names_come_from_the_declared_totals():
    money = TOTALS[Kind.AGREEMENT]
    assert analytics.AGREEMENT_TOTAL.kind == Kind.AGREEMENT
    assert (analytics.AGREEMENT_TOTAL.amount, analytics.AGREEMENT_TOTAL.currency) == (
        money.amount,
        money.currency,
    )
    for group_by in analytics.AGREEMENT_GROUPS:
        query, _ = analytics.agreement_totals(group_by)
        assert f"MATCH (t:{Kind.AGREEMENT.label}) " in query
        assert f"sum(t.{money.amount})" in query
        assert f"t.{money.currency} AS currency" in query


def test_hostile_currency_stays_a_parameter_in_agreement_totals():
    hostile = "CNY' OR 1=1 //"
    for group_by in ("PARTY", "ROLE", "CURRENCY"):
        query, params = analytics.agreement_totals(group_by, hostile)
        assert hostile not in query
        assert params["currency"] == hostile


def test_an_undeclared_grouping_is_refused():
    with pytest.raises(KeyError):
        analytics.credit_totals("PARTY")
    with pytest.raises(KeyError):
        analytics.agreement_totals("LENDER")
    with pytest.raises(KeyError):
        analytics.credit_totals("ROLE")


def test_hostile_currency_stays_a_parameter():
    hostile = "CNY' OR 1=1 //"
    query, params = analytics.credit_totals("LENDER", hostile)
    assert hostile not in query
    assert params["currency"] == hostile


def test_stats_count_every_kind_and_every_declared_type_in_one_query():
    query, params = analytics.graph_stats()
    assert params == {}
    assert query.count("RETURN") == 1
    for kind in Kind:
        assert f"{kind.value}: COUNT {{ (:{kind.label}) }}" in query
    for rel_type in RELATIONSHIP_TYPES:
        assert f"{rel_type}: COUNT {{ ()-[:{rel_type}]->() }}" in query
    assert "COUNT { (:Source) } AS sources" in query


def test_timeline_knows_what_every_date_property_means():
    dated = {
        (kind, prop)
        for kind, props in KIND_PROPERTIES.items()
        for prop, ptype in props.items()
        if ptype == DATE
    }
    assert dated == set(analytics.TIMELINE_DATES)


def test_timeline_of_the_whole_graph():
    day = dt.date(2013, 7, 30)
    query, params = analytics.timeline(None, 1, day, None, 100)
    assert "$id" not in query
    assert "n.kind IN [d IN $dated | d.kind]" in query
    assert "ORDER BY date, label, n.name, n.id LIMIT $first" in query
    assert params["from"] == day
    assert params["to"] is None
    assert {"kind": "EVENT", "property": "date", "label": "event"} in params["dated"]


def test_timeline_around_an_entity_bounds_the_hops():
    query, params = analytics.timeline("potevio", 2, None, None, 10)
    assert "MATCH (c:Entity {id: $id})" in query
    assert "*0..2]-(m:Entity)" in query
    assert params["id"] == "potevio"
    for hops in (0, 4):
        with pytest.raises(ValueError, match="hops"):
            analytics.timeline("potevio", hops, None, None, 10)


def test_timeline_follows_declared_types_only():
    with pytest.raises(
        ValueError, match="'MENTIONS' is not declared; the declared types are ADMINISTERS, "
    ):
        analytics.timeline("potevio", 1, None, None, 10, types=["MENTIONS"])
