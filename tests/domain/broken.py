"""A test-only domain that is wrong: organizations get a field following SPONSORED, a
relationship type nobody declared. The service must refuse to start from it, saying so
(tests/test_domain_model.py)."""

from __future__ import annotations

from dataclasses import replace

from graph.domain.kinds import DOMAIN as REAL
from graph.domain.model import Direction, Domain, RelationshipField

SPONSORS = RelationshipField("sponsors", "SPONSORED", Direction.IN, "Who sponsors it.")

DOMAIN = Domain(
    tuple(
        replace(k, relationships=(*k.relationships, SPONSORS)) if k.name == "ORGANIZATION" else k
        for k in REAL.kinds
    ),
    REAL.relationship_types,
    REAL.common,
    REAL.entity_description,
)
