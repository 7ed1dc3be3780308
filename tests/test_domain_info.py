"""The `domain` field's property labels: what people call each property (a details panel
shows them instead of raw keys such as "nameZh"), declared where the name in words would
not say it, else the name in words; and the properties any entity may carry."""

from __future__ import annotations

from graph.domain import DOMAIN
from graph.domain.model import BOOL, DATE, INT, NUMBER, TEXT, TEXTS, Money, Property, label_of
from graph.schema import schema
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


# The GraphQL names of the declared property types (graph.domain.model).
TYPE_NAMES = {
    TEXT: "TEXT",
    INT: "INT",
    NUMBER: "NUMBER",
    BOOL: "BOOLEAN",
    DATE: "DATE",
    TEXTS: "TEXT_LIST",
}

RELATIONSHIP_TYPES = """{ domain { relationshipTypes {
    name description from to
    properties { name label type description storedAs convertedFrom } } } }"""


def _property(prop: Property | Money, of: str | None = None) -> dict:
    money = isinstance(prop, Money)
    return {
        "name": prop.name,
        "label": label_of(prop),
        "type": "MONEY" if money else TYPE_NAMES[prop.type],
        "description": prop.description,
        "storedAs": list(prop.columns) if money else [prop.stored],
        "convertedFrom": of,
    }


def _declared_properties(props: tuple[Property | Money, ...]) -> list[dict]:
    out = []
    for p in props:
        out.append(_property(p))
        if isinstance(p, Money) and p.converted is not None:
            out.append(_property(p.converted, p.name))
    return out


def test_the_domain_field_gives_each_relationship_type_as_declared():
    """What a client reads through GraphQL (`from`, `to`, `properties`) is the declaration:
    every type in declaration order, its ends and its own properties with their types and
    stored names."""
    result = schema.execute_sync(RELATIONSHIP_TYPES)
    assert result.errors is None, result.errors
    assert result.data is not None
    got = result.data["domain"]["relationshipTypes"]
    assert got == [
        {
            "name": r.name,
            "description": r.description,
            "from": list(r.sources),
            "to": list(r.targets),
            "properties": _declared_properties(r.properties),
        }
        for r in DOMAIN.relationship_types
    ]
    # Guards against comparing two empty lists: the real domain has typed properties.
    by_name = {r["name"]: r for r in got}
    assert by_name["MEMBER_OF"]["properties"][0]["type"] == "DATE"
    assert by_name["HOLDS_POSITION"]["from"] == ["PERSON"]
    assert "PLACE" in by_name["ADMINISTERS"]["to"]


def test_every_relationship_field_of_a_kind_names_a_type_the_domain_field_lists():
    result = schema.execute_sync(
        "{ domain { kinds { name relationships { name type direction many } } "
        "relationshipTypes { name from to } } }"
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    types = {r["name"]: r for r in result.data["domain"]["relationshipTypes"]}
    for kind in result.data["domain"]["kinds"]:
        declared = DOMAIN.kind(kind["name"]).all_relationships()
        assert [
            (f["name"], f["type"], f["direction"], f["many"]) for f in kind["relationships"]
        ] == [(f.name, f.type, str(f.direction), f.many) for f in declared]
        for f in kind["relationships"]:
            own_end = types[f["type"]]["from" if f["direction"] == "OUT" else "to"]
            inherited = f["name"] not in {r.name for r in DOMAIN.kind(kind["name"]).relationships}
            # An interface's field may belong to a kind the type does not touch (it then
            # answers empty); a kind's own field must start or end at the kind.
            assert inherited or kind["name"] in own_end, (kind["name"], f["name"])
