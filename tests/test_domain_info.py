"""The `domain` field's property labels: what people call each property (a details panel
shows them instead of raw keys such as "nameZh"), declared where the name in words would
not say it, else the name in words; and the properties any entity may carry."""

from __future__ import annotations

from graph.domain.model import INT, Money, Property, label_of
from graph.types.domain_info import domain_info


def test_a_label_is_the_declared_one_or_the_name_in_words():
    assert label_of(Property("patentNumber", INT, "x")) == "Patent number"
    assert label_of(Property("count", INT, "x")) == "Count"
    assert label_of(Property("attendanceMin", INT, "x", label="Attendance (at least)")) == (
        "Attendance (at least)"
    )
    assert label_of(Money("amount", "x", "amount", "currency")) == "Amount"


def test_the_domain_gives_every_property_a_label_and_lists_the_common_ones():
    domain = domain_info()
    common = {p.name: p.label for p in domain.common_properties}
    assert common == {"description": "Description", "nameZh": "Chinese name", "note": "Note"}
    kinds = {k.name: k for k in domain.kinds}
    credit = [(p.name, p.label) for p in kinds["CREDIT"].properties]
    # In declaration order, the source's own conversion right after the amount.
    assert credit == [
        ("creditType", "Credit type"),
        ("amount", "Amount"),
        ("convertedAmount", "Amount (converted)"),
        ("collateral", "Collateral"),
    ]
    bank = {p.name: (p.label, p.stored_as) for p in kinds["BANK"].properties}
    assert bank["orgType"] == ("Type", ["bankType"])
    for kind in domain.kinds:
        for prop in kind.properties:
            assert prop.label[:1].isupper(), (kind.name, prop.name)
