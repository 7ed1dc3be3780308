"""graph/resolvers/arguments.py: naming a relationship by its id or by its three parts."""

from __future__ import annotations

import pytest

from graph.errors import BadUserInput
from graph.resolvers.arguments import relationship_named


def test_a_relationship_is_named_by_its_id_or_its_parts():
    named = ("bank-a", "PARTY_TO", "deal-b")
    assert relationship_named("bank-a|PARTY_TO|deal-b", None, None, None) == named
    assert relationship_named(None, "bank-a", "PARTY_TO", "deal-b") == named


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("a|PARTY_TO|b", "a", None, None), "not both"),
        (("a|PARTY_TO", None, None, None), "must be a relationship id"),
        (("a||b", None, None, None), "must be a relationship id"),
        (("a|PARTY_TO|b|c", None, None, None), "must be a relationship id"),
        ((None, "a", None, "b"), "missing: `type`"),
        ((None, None, None, None), "missing: `from`, `type`, `to`"),
    ],
)
def test_a_relationship_named_wrongly_is_a_bad_user_input(args, message):
    with pytest.raises(BadUserInput, match=message):
        relationship_named(*args)
