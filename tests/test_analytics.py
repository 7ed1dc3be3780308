"""Money totals, graph statistics and the timeline, asked over HTTP against the seed graph."""

import asyncio

import pytest

from graph.db import Database
from graph.domain import RELATIONSHIP_TYPES, Kind
from graph.schema import schema

CREDIT_TOTALS = """
query ($groupBy: CreditGrouping!, $currency: String) {
  creditTotals(groupBy: $groupBy, currency: $currency) {
    entity { id name }
    total { amount currency }
    count
  }
}
"""

AGREEMENT_TOTALS = """
query ($groupBy: AgreementGrouping!) {
  agreementTotals(groupBy: $groupBy) {
    entity { id kind }
    total { amount currency }
    count
  }
}
"""

AGREEMENT_ROWS = """
query ($groupBy: AgreementGrouping!, $currency: String) {
  agreementTotals(groupBy: $groupBy, currency: $currency) {
    entity { id }
    role
    total { amount currency }
    count
    overlapping
  }
}
"""

# The article's agreement: CNY 26 bn committed by the banks together, signed by the
# Beijing IP Bureau ("government") and two named banks ("lender") (seed/article.json).
AGREEMENT_TOTAL = {"amount": 26e9, "currency": "CNY"}

TIMELINE = """
query ($id: ID, $hops: Int, $from: Date, $to: Date) {
  timeline(id: $id, hops: $hops, from: $from, to: $to) {
    date
    label
    entity { id kind ... on Event { eventType } }
  }
}
"""

CEREMONY = "zhongguancun-ip-service-alliance-launch-ceremony"


def test_bank_of_beijing_lent_200_million_yuan_and_bank_of_china_nothing(gql):
    rows = gql(CREDIT_TOTALS, {"groupBy": "LENDER"})["creditTotals"]
    assert rows == [
        {
            "entity": {"id": "bank-of-beijing", "name": "Bank of Beijing"},
            "total": {"amount": 200000000.0, "currency": "CNY"},
            "count": 1,
        }
    ]
    assert "bank-of-china" not in {row["entity"]["id"] for row in rows}


def test_potevio_borrowed_it(gql):
    rows = gql(CREDIT_TOTALS, {"groupBy": "BORROWER"})["creditTotals"]
    assert [(r["entity"]["id"], r["total"]["amount"], r["count"]) for r in rows] == [
        ("potevio", 200000000.0, 1)
    ]


def test_credit_totals_by_currency_have_no_entity(gql):
    rows = gql(CREDIT_TOTALS, {"groupBy": "CURRENCY"})["creditTotals"]
    assert rows == [
        {"entity": None, "total": {"amount": 200000000.0, "currency": "CNY"}, "count": 1}
    ]


def test_credit_totals_in_one_currency(gql):
    assert gql(CREDIT_TOTALS, {"groupBy": "LENDER", "currency": "USD"})["creditTotals"] == []
    rows = gql(CREDIT_TOTALS, {"groupBy": "LENDER", "currency": " cny "})["creditTotals"]
    assert [r["total"]["currency"] for r in rows] == ["CNY"]


def test_agreement_totals_per_party(gql):
    rows = gql(AGREEMENT_TOTALS, {"groupBy": "PARTY"})["agreementTotals"]
    # The agreement's whole 26 billion yuan counts for each of its three named parties,
    # equal totals in name order.
    assert [(r["entity"]["id"], r["entity"]["kind"]) for r in rows] == [
        ("bank-of-beijing", "BANK"),
        ("bank-of-china", "BANK"),
        ("beijing-intellectual-property-bureau", "ORGANIZATION"),
    ]
    assert all(r["total"] == {"amount": 26e9, "currency": "CNY"} for r in rows)
    assert all(r["count"] == 1 for r in rows)


def test_agreement_totals_per_currency(gql):
    rows = gql(AGREEMENT_TOTALS, {"groupBy": "CURRENCY"})["agreementTotals"]
    assert rows == [{"entity": None, "total": {"amount": 26e9, "currency": "CNY"}, "count": 1}]


def test_agreement_totals_per_role_count_the_shared_agreement_once(gql):
    rows = gql(AGREEMENT_ROWS, {"groupBy": "ROLE"})["agreementTotals"]
    # One row per role: the two lending banks share one row with the agreement's total
    # once (not 2 x 26 bn), and the bureau's role has a row of its own. Equal totals come
    # in role order.
    assert rows == [
        {
            "entity": None,
            "role": "government",
            "total": AGREEMENT_TOTAL,
            "count": 1,
            "overlapping": True,
        },
        {
            "entity": None,
            "role": "lender",
            "total": AGREEMENT_TOTAL,
            "count": 1,
            "overlapping": True,
        },
    ]


def test_lender_role_total_is_not_multiplied_by_the_number_of_banks(gql):
    by_party = gql(AGREEMENT_ROWS, {"groupBy": "PARTY"})["agreementTotals"]
    banks = [r for r in by_party if r["entity"]["id"] in {"bank-of-beijing", "bank-of-china"}]
    assert len(banks) == 2
    [lender] = [
        r
        for r in gql(AGREEMENT_ROWS, {"groupBy": "ROLE"})["agreementTotals"]
        if r["role"] == "lender"
    ]
    assert lender["total"]["amount"] == 26e9
    assert sum(r["total"]["amount"] for r in banks) == 2 * lender["total"]["amount"]


def test_agreement_totals_per_role_in_one_currency(gql):
    assert gql(AGREEMENT_ROWS, {"groupBy": "ROLE", "currency": "USD"})["agreementTotals"] == []
    rows = gql(AGREEMENT_ROWS, {"groupBy": "ROLE", "currency": " cny "})["agreementTotals"]
    assert [(r["role"], r["total"]["currency"]) for r in rows] == [
        ("government", "CNY"),
        ("lender", "CNY"),
    ]


def test_agreement_totals_per_party_overlap_and_have_no_role(gql):
    rows = gql(AGREEMENT_ROWS, {"groupBy": "PARTY"})["agreementTotals"]
    assert [r["entity"]["id"] for r in rows] == [
        "bank-of-beijing",
        "bank-of-china",
        "beijing-intellectual-property-bureau",
    ]
    assert all(r["overlapping"] is True for r in rows)
    assert all(r["role"] is None for r in rows)
    assert all(r["total"] == AGREEMENT_TOTAL and r["count"] == 1 for r in rows)


def test_agreement_totals_per_currency_do_not_overlap(gql):
    rows = gql(AGREEMENT_ROWS, {"groupBy": "CURRENCY"})["agreementTotals"]
    assert rows == [
        {
            "entity": None,
            "role": None,
            "total": AGREEMENT_TOTAL,
            "count": 1,
            "overlapping": False,
        }
    ]


def test_agreement_totals_are_one_query_with_their_entities(gql, server):
    sent = []
    db = server.app.state.db
    db.listeners.append(lambda text, params: sent.append(text))
    try:
        for group_by in ("PARTY", "ROLE", "CURRENCY"):
            sent.clear()
            gql(
                f"{{ agreementTotals(groupBy: {group_by}) {{ role overlapping "
                'entity { id relationships(types: ["PARTY_TO"]) { type other { id } } } } }'
            )
            assert len(sent) == 1, group_by
    finally:
        db.listeners.pop()


def test_party_and_role_descriptions_say_what_they_add_up():
    graphql_schema = schema._schema
    values = graphql_schema.get_type("AgreementGrouping").values
    party = values["PARTY"].description
    assert "whole totals of the agreements the party signed" in party
    assert "not what the party committed" in party
    role = values["ROLE"].description
    assert "counted once however many parties share the role" in role
    assert "the lenders committed together" in role
    fields = graphql_schema.get_type("AgreementTotal").fields
    assert str(fields["role"].type) == "String"
    assert str(fields["overlapping"].type) == "Boolean!"
    assert "must not be added up" in fields["overlapping"].description
    assert "not what the party committed" in fields["total"].description
    root = graphql_schema.query_type.fields["agreementTotals"].description
    assert "not what it committed" in root
    assert "what the lenders committed together" in root


def test_each_aggregation_is_one_query(gql, server):
    sent = []
    db = server.app.state.db if hasattr(server.app.state, "db") else None
    if db is None:
        pytest.skip("the app does not expose its database")
    db.listeners.append(lambda text, params: sent.append(text))
    try:
        gql("{ creditTotals(groupBy: LENDER) { total { amount } } }")
        assert len(sent) == 1
        sent.clear()
        gql("{ stats { entities sources entitiesByKind { count } relationshipsByType { count } } }")
        assert len(sent) == 1
    finally:
        db.listeners.pop()


async def _direct_counts(settings):
    db = Database(settings)
    try:
        kinds = await db.read(("MATCH (n:Entity) RETURN n.kind AS kind, count(*) AS n", {}))
        types = await db.read(("MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n", {}))
        [sources] = await db.read(("MATCH (s:Source) RETURN count(s) AS n", {}))
        return (
            {row["kind"]: row["n"] for row in kinds},
            {row["type"]: row["n"] for row in types},
            sources["n"],
        )
    finally:
        await db.close()


def test_stats_equal_direct_counts(gql, settings):
    stats = gql(
        "{ stats { entities relationships sources "
        "entitiesByKind { kind count } relationshipsByType { type count } } }"
    )["stats"]
    kinds, types, sources = asyncio.run(_direct_counts(settings))
    by_kind = {row["kind"]: row["count"] for row in stats["entitiesByKind"]}
    by_type = {row["type"]: row["count"] for row in stats["relationshipsByType"]}
    assert list(by_kind) == [k.value for k in Kind]
    assert list(by_type) == list(RELATIONSHIP_TYPES)
    assert by_kind == {k.value: kinds.get(k.value, 0) for k in Kind}
    assert by_type == {t: types.get(t, 0) for t in RELATIONSHIP_TYPES}
    assert stats["entities"] == sum(kinds.values()) == 32
    assert stats["relationships"] == sum(by_type.values()) == 36
    assert stats["sources"] == sources == 1
    assert by_type["MEMBER_OF"] == 0  # declared, not in the seed: listed with zero
    assert by_kind["BANK"] == 2


def test_timeline_contains_the_ceremony(gql):
    entries = gql(TIMELINE)["timeline"]
    assert {
        "date": "2013-07-30",
        "label": "event",
        "entity": {"id": CEREMONY, "kind": "EVENT", "eventType": "launch ceremony"},
    } in entries
    assert [e["date"] for e in entries] == sorted(e["date"] for e in entries)


@pytest.mark.parametrize(
    ("variables", "has_ceremony"),
    [
        ({"from": "2013-07-30", "to": "2013-07-30"}, True),
        ({"from": "2013-07-31"}, False),
        ({"to": "2013-07-29"}, False),
        ({"id": "zhongguancun-science-park"}, True),
        ({"id": "potevio"}, False),
        ({"id": "potevio", "hops": 2}, True),
        ({"id": "bank-of-china", "hops": 3}, False),
        ({"id": CEREMONY}, True),
        ({"id": "no-such-entity"}, False),
    ],
)
def test_timeline_bounds_and_neighbourhood(gql, variables, has_ceremony):
    entries = gql(TIMELINE, variables)["timeline"]
    assert (CEREMONY in {e["entity"]["id"] for e in entries}) is has_ceremony


BAD = [
    ('{ creditTotals(groupBy: LENDER, currency: "yuan") { count } }', "`currency` must be"),
    ('{ agreementTotals(groupBy: PARTY, currency: "C1Y") { count } }', "`currency` must be"),
    ("{ timeline(hops: 0) { date } }", "`hops` must be between 1 and 3"),
    ('{ timeline(id: "potevio", hops: 4) { date } }', "`hops` must be between 1 and 3"),
    ("{ timeline(first: 0) { date } }", "`first` must be between 1 and 500"),
    ("{ timeline(first: 501) { date } }", "`first` must be between 1 and 500"),
    (
        '{ timeline(from: "2014-01-01", to: "2013-01-01") { date } }',
        "`from` (2014-01-01) must not be after `to` (2013-01-01)",
    ),
]


@pytest.mark.parametrize(("query", "message"), BAD)
def test_bad_argument_is_bad_user_input(gql, query, message):
    error = gql.error(query)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in error["message"]


def test_an_undeclared_grouping_fails_validation(gql):
    error = gql.error("{ creditTotals(groupBy: PARTY) { count } }")
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


NEW_TYPES = [
    "CreditGrouping",
    "AgreementGrouping",
    "CreditTotal",
    "AgreementTotal",
    "KindCount",
    "TypeCount",
    "GraphStats",
    "TimelineEntry",
]
NEW_FIELDS = [
    "allShortestPaths",
    "kShortestPaths",
    "connect",
    "creditTotals",
    "agreementTotals",
    "stats",
    "timeline",
]


def test_new_types_fields_and_arguments_are_described():
    graphql_schema = schema._schema
    for name in NEW_TYPES:
        gtype = graphql_schema.get_type(name)
        assert gtype.description, name
        for field_name, field in getattr(gtype, "fields", {}).items():
            assert field.description, f"{name}.{field_name}"
        for value_name, value in getattr(gtype, "values", {}).items():
            assert value.description, f"{name}.{value_name}"
    query = graphql_schema.query_type
    for name in NEW_FIELDS:
        field = query.fields[name]
        assert field.description, name
        for arg_name, arg in field.args.items():
            assert arg.description, f"Query.{name}({arg_name})"


@pytest.mark.parametrize(
    "field", ["agreementTotals(groupBy: ROLE", "agreementTotals(groupBy: PARTY"]
)
def test_totals_give_the_largest_first_groups(gql, field):
    select = "{ total { amount currency } count }"
    everything = gql(f"{{ t: {field}, first: 500) {select} }}")["t"]
    assert len(everything) >= 2, everything  # the seed has groups enough to cut
    assert gql(f"{{ t: {field}, first: 1) {select} }}")["t"] == everything[:1]
    assert gql("{ creditTotals(groupBy: LENDER, first: 1) { count } }")["creditTotals"]
    assert gql(f"{{ t: {field}) {select} }}")["t"] == everything  # default 100: all here
    error = gql.error(f"{{ t: {field}, first: 0) {select} }}")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
