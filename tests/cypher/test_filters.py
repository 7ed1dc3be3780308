"""Conditions on a relationship's own properties (graph.cypher.filters.edge_clauses):
each by its declared type, every value a parameter."""

from __future__ import annotations

import pytest

from graph.cypher.filters import Params, compile_where, edge_clauses
from graph.domain.model import BOOL, DATE, Money, Property

DECLARED = {
    "amount": Money("amount", "How much.", "amount", "amountCurrency"),
    "lead": Property("lead", BOOL, "Led the round.", default=False),
    "since": Property("since", DATE, "Since when."),
}


def test_money_is_an_amount_range_in_a_currency():
    params = Params()
    spec = {"amount": {"min": 20, "currency": "USD"}}
    assert edge_clauses("r", DECLARED, spec, params) == [
        "(r.`amount` IS NOT NULL AND r.`amount` >= $p0)",
        "(r.`amountCurrency` IS NOT NULL AND r.`amountCurrency` = $p1)",
    ]
    assert params.values == {"p0": 20, "p1": "USD"}


def test_a_boolean_reads_a_missing_value_as_its_default():
    params = Params()
    [clause] = edge_clauses("r", DECLARED, {"lead": False}, params)
    assert clause == ("(coalesce(r.`lead`, $p0) IS NOT NULL AND coalesce(r.`lead`, $p0) = $p1)")
    assert params.values == {"p0": False, "p1": False}


def test_an_undeclared_property_is_refused():
    with pytest.raises(ValueError, match="no property 'round'"):
        edge_clauses("r", DECLARED, {"round": {"equals": "Seed"}}, Params())


def test_related_reads_the_declared_properties_of_its_type():
    params = Params()
    where = {
        "related": [{"type": "MEMBER_OF", "direction": "OUT", "since": {"after": "2020-01-01"}}]
    }
    assert "n_r0.`since` >= $p0" in compile_where("n", where, params)
    assert params.values == {"p0": "2020-01-01"}
    with pytest.raises(ValueError, match="LENT relationships have no property 'since'"):
        compile_where("n", {"related": [{"type": "LENT", "since": {"after": "x"}}]}, Params())
