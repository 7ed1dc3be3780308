"""The export's model: stored provenance entries, claims, flat values."""

from __future__ import annotations

import datetime as dt

import pytest

from graph.export.model import Citation, Claim, facts_claims, plain


@pytest.mark.parametrize(
    ("entry", "citation"),
    [
        ("daily|5|", Citation("daily", paragraph=5)),
        ("daily||headline", Citation("daily", locator="headline")),
        ("daily||p. 4 | col 2", Citation("daily", locator="p. 4 | col 2")),
        ("daily", Citation("daily")),
        ("daily|x|", Citation("daily")),
    ],
)
def test_a_stored_provenance_entry_is_a_citation(entry, citation):
    assert Citation.parse(entry) == citation


def test_every_value_of_a_fact_is_a_claim_of_the_facts_citations():
    cites = (Citation("daily", paragraph=5),)
    claims = facts_claims("Bank", ["BOB", "B"], {"amount": 2.0, "tags": ["a", "b"]}, cites)
    assert claims == {
        "name": (Claim("Bank", cites),),
        "aliases": (Claim("BOB", cites), Claim("B", cites)),
        "amount": (Claim(2.0, cites),),
        "tags": (Claim("a", cites), Claim("b", cites)),
    }
    assert "name" not in facts_claims(None, (), {}, cites)


def test_flat_values_are_iso_dates_and_joined_lists():
    assert plain(dt.date(2013, 8, 2)) == "2013-08-02"
    assert plain(["a", dt.date(2013, 8, 2), 3]) == "a|2013-08-02|3"
    assert plain(2.5) == 2.5
    assert plain(None) is None
