"""Which properties are claims: every one a kind may carry, common ones included."""

from __future__ import annotations

from graph.claims import ENTITY_GROUPS, row_claims
from graph.domain import COMMON_PROPERTIES, KIND_PROPERTIES


def test_every_property_an_entity_may_carry_is_a_claim():
    for kind, groups in ENTITY_GROUPS.items():
        columns = {c for g in groups.values() for c in g.columns}
        assert set(COMMON_PROPERTIES) | set(KIND_PROPERTIES[kind]) <= columns, kind


def test_a_chinese_name_is_claimed_and_written():
    made = row_claims("BANK", {"nameZh": "北京银行"}, ["src|1|"], name="Bank of Beijing")
    assert {"nameZh": "北京银行"} in [c["set"] for c in made]
