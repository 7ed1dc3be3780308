"""The domain declaration's own check (graph/domain/model.py `check`): the real
declaration passes, and a declaration that references something undeclared, names
something unsafely or contradicts itself is refused with a message naming the kind,
field or type at fault; the service refuses to start from it."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import pytest

from graph.domain import DOMAIN
from graph.domain.model import (
    DATE,
    TEXT,
    Direction,
    Domain,
    KindDecl,
    Money,
    Property,
    RelationshipField,
    RelationshipType,
    check,
    sort_key_name,
)
from graph.settings import ROOT


def _with_kind(kind: str, **changes) -> Domain:
    """The real domain with one kind changed."""
    kinds = tuple(replace(k, **changes) if k.name == kind else k for k in DOMAIN.kinds)
    return Domain(kinds, DOMAIN.relationship_types, DOMAIN.common, DOMAIN.entity_description)


def _with_field(kind: str, field: RelationshipField) -> Domain:
    decl = DOMAIN.kind(kind)
    return _with_kind(kind, relationships=(*decl.relationships, field))


def _with_type(rel: RelationshipType) -> Domain:
    return DOMAIN.extended(relationship_types=(rel,))


def test_the_real_declaration_passes():
    assert check(DOMAIN) == []


BAD = {
    "a field naming an undeclared type": (
        _with_field("ORGANIZATION", RelationshipField("sponsors", "SPONSORED", Direction.IN, "x")),
        "ORGANIZATION.sponsors: undeclared relationship type SPONSORED",
    ),
    "a field following a type from the wrong end": (
        _with_field("PERSON", RelationshipField("lent", "LENT", Direction.OUT, "x")),
        "PERSON.lent: LENT does not start at PERSON",
    ),
    "a field named like a property": (
        _with_field("PATENT", RelationshipField("count", "SECURES", Direction.OUT, "x")),
        "PATENT.count: the name is used twice",
    ),
    "a type ending at an undeclared kind": (
        _with_type(RelationshipType("INVESTED_IN", "x", ("FUND",), ("ORGANIZATION",))),
        "INVESTED_IN: undeclared kind FUND",
    ),
    "a type whose name is not safe in Cypher": (
        _with_type(RelationshipType("LENT`]-(x) DETACH DELETE x//", "x", ("BANK",), ("CREDIT",))),
        "LENT`]-(x) DETACH DELETE x//: relationship types are UPPER_CASE",
    ),
    "a relationship property whose name is not safe": (
        _with_type(
            RelationshipType("RATED", "x", ("BANK",), ("CREDIT",), (Property("a b", TEXT, "x"),))
        ),
        "RATED.a b: a relationship property is a camelCase scalar",
    ),
    "a relationship property of an unknown type": (
        _with_type(
            RelationshipType("RATED", "x", ("BANK",), ("CREDIT",), (Property("p", "blob", "x"),))
        ),
        "RATED.p: a relationship property is a camelCase scalar",
    ),
    "a property the service keeps itself": (
        _with_kind("PLACE", properties=(Property("name", TEXT, "x"),)),
        "PLACE.name: ['aliases', 'id', 'kind', 'name'] are kept",
    ),
    "a date that is not a date property": (
        _with_kind("EVENT", date="eventType"),
        "EVENT: date 'eventType' is not one of its date properties",
    ),
    "totals that are not money": (
        _with_kind("CREDIT", totals="collateral"),
        "CREDIT: totals 'collateral' is not one of its money properties",
    ),
    "a kind named unsafely": (
        Domain(
            (*DOMAIN.kinds, KindDecl("FUND", "Fund`) DETACH DELETE (x", "x", "funds", "x")),
            DOMAIN.relationship_types,
        ),
        "FUND: names are UPPER_CASE, labels PascalCase",
    ),
    "a property declared twice": (
        _with_kind(
            "GRANT", properties=(Property("since", DATE, "x"), Property("since", TEXT, "y"))
        ),
        "GRANT: a property is declared twice",
    ),
}


@pytest.mark.parametrize(("domain", "problem"), BAD.values(), ids=BAD.keys())
def test_a_bad_declaration_is_refused_naming_the_fault(domain, problem):
    assert check(domain) == [problem]


def test_the_service_does_not_start_from_a_bad_declaration():
    """Through the real start: the declaration named by the DOMAIN setting is checked when
    graph.domain is first imported (here by the command line)."""
    env = {**os.environ, "DOMAIN": "tests.domain.broken:DOMAIN"}
    result = subprocess.run(
        [sys.executable, "-m", "graph.cli", "export-schema"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines()[-1] == (
        "The domain declaration is not valid: "
        "ORGANIZATION.sponsors: undeclared relationship type SPONSORED"
    )


# Relationship properties: one meaning across types, clear of the filter's and sort's names.


def _with_type(rel: RelationshipType) -> Domain:
    return replace(DOMAIN, relationship_types=(*DOMAIN.relationship_types, rel))


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
    assert check(_with_type(other)) == ["JOINED.since: declared with another type or column"]
    same = replace(other, properties=(Property("since", DATE, "Since when."),))
    assert check(_with_type(same)) == []


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
    assert check(_with_type(clash)) == [
        "BACKED.where: ['direction', 'type', 'where'] are kept",
        "BACKED.edgeAmount: its sort key EDGE_AMOUNT is taken",
    ]
