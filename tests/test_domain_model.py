"""The declaration's own checks (graph.domain.model.check), run when the service starts."""

from __future__ import annotations

from dataclasses import replace

from graph.domain.kinds import DOMAIN
from graph.domain.model import (
    DATE,
    TEXT,
    Money,
    Property,
    RelationshipType,
    check,
    sort_key_name,
)


def _with(rel: RelationshipType):
    return replace(DOMAIN, relationship_types=(*DOMAIN.relationship_types, rel))


def test_the_real_domain_passes():
    assert check(DOMAIN) == []


def test_a_sort_key_never_takes_a_built_in_one():
    assert [sort_key_name(n) for n in ("since", "closedOn", "amount", "date", "name")] == [
        "SINCE",
        "CLOSED_ON",
        "EDGE_AMOUNT",
        "EDGE_DATE",
        "EDGE_NAME",
    ]


def test_a_relationship_property_means_one_thing_across_types():
    # MEMBER_OF declares `since` as a date: another type may not make it text.
    other = RelationshipType(
        "JOINED", "Joined.", ("ORGANIZATION",), ("ORGANIZATION",), (Property("since", TEXT, "x"),)
    )
    assert check(_with(other)) == ["JOINED.since: declared with another type or column"]
    same = replace(other, properties=(Property("since", DATE, "Since when."),))
    assert check(_with(same)) == []


def test_a_relationship_property_keeps_clear_of_the_related_filter_and_its_sort_keys():
    clash = RelationshipType(
        "BACKED",
        "Backed.",
        ("ORGANIZATION",),
        ("ORGANIZATION",),
        (
            Property("where", TEXT, "Where."),
            Money("amount", "How much.", "amount", "amountCurrency"),
            Property("edgeAmount", TEXT, "Spelled out."),
        ),
    )
    assert check(_with(clash)) == [
        "BACKED.where: ['direction', 'type', 'where'] are kept",
        "BACKED.edgeAmount: its sort key EDGE_AMOUNT is taken",
    ]
