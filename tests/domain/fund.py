"""A test-only domain: the real one plus a kind `Fund` (money `size`, date `closedOn`)
and a relationship INVESTED_IN from a fund to an organization, with a money property.
The service is built from it through the same code as from the real one, by naming it
in the `DOMAIN` setting (tests/test_domain_fund.py)."""

from __future__ import annotations

from graph.domain.kinds import DOMAIN as REAL
from graph.domain.model import (
    DATE,
    TEXT,
    Direction,
    KindDecl,
    Money,
    Property,
    RelationshipField,
    RelationshipType,
)

INVESTED_IN = RelationshipType(
    "INVESTED_IN",
    "A fund invested in an organization.",
    ("FUND",),
    ("ORGANIZATION", "BANK"),
    (
        Money("amount", "How much it invested.", "amount", "amountCurrency"),
        Property("round", TEXT, "The financing round, e.g. 'Series A'."),
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
    relationships=(
        RelationshipField(
            "investments", "INVESTED_IN", Direction.OUT, "Organizations it invested in."
        ),
    ),
    date="closedOn",
    date_meaning="fund closed",
    totals="size",
)

DOMAIN = REAL.extended(kinds=(FUND,), relationship_types=(INVESTED_IN,))
