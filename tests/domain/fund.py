"""A test-only domain: the real one plus README.md's "Adding a kind" diff, its three
parts as they are there: the relationship type INVESTED_IN (from a fund to an
organization or bank, with a money property), the back-reference `investors` on
`Organizational`, and the kind `Fund` (money `size`, date `closedOn`). The service is
built from it through the same code as from the real one, by naming it in the `DOMAIN`
setting (tests/test_domain_fund.py)."""

from __future__ import annotations

from dataclasses import replace

from graph.domain.kinds import DOMAIN as REAL
from graph.domain.kinds import IN, ORGANIZATIONAL, ORGS, OUT, many
from graph.domain.model import (
    BOOL,
    DATE,
    TEXT,
    Domain,
    KindDecl,
    Money,
    Property,
    RelationshipType,
)

INVESTED_IN = RelationshipType(
    "INVESTED_IN",
    "A fund invested in an organization.",
    ("FUND",),
    ORGS,
    (
        Money("amount", "How much it invested.", "amount", "amountCurrency"),
        Property("round", TEXT, "The financing round, e.g. 'Series A'."),
        Property("lead", BOOL, "Whether it led the round.", default=False),
    ),
)

WITH_INVESTORS = replace(
    ORGANIZATIONAL,
    relationships=(
        *ORGANIZATIONAL.relationships,
        many("investors", "INVESTED_IN", IN, "Funds that invested in it."),
    ),
)

FUND = KindDecl(
    "FUND",
    "Fund",
    "An investment fund.",
    "funds",
    "Funds, paginated.",
    properties=(
        Money("size", "The fund's committed capital.", "size", "sizeCurrency"),
        Property("closedOn", DATE, "When the fund closed."),
    ),
    relationships=(many("investments", "INVESTED_IN", OUT, "Organizations it invested in."),),
    date="closedOn",
    date_meaning="fund closed",
    totals="size",
)


def _with_investors(kind: KindDecl) -> KindDecl:
    interfaces = tuple(WITH_INVESTORS if i is ORGANIZATIONAL else i for i in kind.interfaces)
    return replace(kind, interfaces=interfaces)


DOMAIN = Domain(
    (*(_with_investors(k) for k in REAL.kinds), FUND),
    (*REAL.relationship_types, INVESTED_IN),
    REAL.common,
    REAL.entity_description,
)
