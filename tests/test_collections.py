"""Collections (`organizations`, `banks`, `people`, `credits`, `agreements`, `events`,
`entities`) over HTTP, against a generated graph of 3,000 entities, each answer compared
with a brute-force computation over a plain-Python model of the same data
(`tests.generated`).

The generated document is ingested next to the seed graph for this module only, and
everything with an id starting `gen-` (and the `gen-source` source) is deleted at the end.

How answers are kept to the generated data: every `where` sent is combined with
`ids: [<every generated id>]`, passed as a GraphQL variable. That restriction is exact
whatever else the database holds (the seed, or another module's leftovers), works for
Chinese names as well as Latin ones, and leaves the name, alias, kind, date, amount and
relationship conditions under test free; the model only knows the generated data, so it
needs no restriction. The id list is one query parameter, looked up once per row.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.generated import PREFIX, Model, document, sort_value
from tests.generated_graph import (
    KINDS,
    Generated,
    delete_entities,
    generated_graph,
    ingest,
)

PAGE = """
query Page($where: EntityWhere, $orderBy: OrderBy, $first: Int!, $after: String) {
  %s(where: $where, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    edges { cursor node { id } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# The bank that lends the most in the generated data (lenders are drawn with weight 1/i).
BIG_LENDER = "gen-bank-0001"


@pytest.fixture(scope="module")
def gen(settings) -> Iterator[Generated]:
    yield from generated_graph(settings)


# --- paging helpers ------------------------------------------------------------------


def order_by(key: str = "NAME", direction: str = "ASC") -> dict[str, str]:
    return {"key": key, "direction": direction}


def fetch(gql, field, where, order=None, first=500, after=None) -> dict[str, Any]:
    variables = {"where": where, "orderBy": order, "first": first, "after": after}
    return gql(PAGE % field, variables)[field]


def ids_of(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in page["edges"]]


def walk(gql, field, where, order=None, first=500) -> list[str]:
    """Every id of a collection, page by page, checking each page's paging information:
    full pages until the last, the same totalCount on each, `endCursor` = the last
    edge's cursor, `hasNextPage` false only on the last page."""
    seen: list[str] = []
    after, total = None, None
    while True:
        page = fetch(gql, field, where, order, first, after)
        total = page["totalCount"] if total is None else total
        assert page["totalCount"] == total
        edges = page["edges"]
        info = page["pageInfo"]
        seen += ids_of(page)
        if not info["hasNextPage"]:
            break
        assert len(edges) == first
        assert info["endCursor"] == edges[-1]["cursor"]
        after = info["endCursor"]
    assert len(seen) == total
    assert info["endCursor"] == (edges[-1]["cursor"] if edges else None)
    return seen


def check(gql, gen: Generated, field, where, key="NAME", direction="ASC", first=500):
    """The collection, filtered and ordered, is exactly what the model computes."""
    expected = gen.expected(field, where, key, direction)
    got = walk(gql, field, gen.within(where), order_by(key, direction), first)
    assert got == expected
    return expected


# --- the data is in place ------------------------------------------------------------


@pytest.mark.parametrize("field", list(KINDS))
def test_every_generated_entity_is_listed_once(gql, gen, field):
    expected = check(gql, gen, field, None)
    assert expected


def test_generated_data_has_ties_and_nulls(gen):
    """Guards the tests below against vacuity: duplicate sort keys (so the id decides)
    and missing dates and amounts exist."""
    items = list(gen.model.items.values())
    names = [i.name.lower() for i in items]
    assert len(set(names)) < len(names) / 2
    dated = [i.date for i in items if i.kind in ("EVENT", "AGREEMENT")]
    assert None in dated
    assert len({d for d in dated if d}) < len([d for d in dated if d])
    amounts = [i.amount for i in items if i.kind in ("CREDIT", "AGREEMENT")]
    assert None in amounts
    assert len({a for a in amounts if a}) < len([a for a in amounts if a])
    assert {i.currency for i in items if i.amount is not None} == {"CNY", "USD", None}


# --- name, kind, date and amount filters ---------------------------------------------

NAME_FILTERS = [
    ("people", {"equals": "wang wei"}),
    ("people", {"equals": "Wang Wei", "caseInsensitive": False}),
    ("people", {"equals": "chen fang"}),
    ("people", {"equals": "CHEN Fang", "caseInsensitive": False}),
    ("people", {"equals": "Chen Fang", "caseInsensitive": False}),
    ("people", {"equals": "王伟"}),
    ("people", {"startsWith": "王"}),
    ("people", {"startsWith": "zh"}),
    ("people", {"startsWith": "ZH", "caseInsensitive": False}),
    ("people", {"in": ["Li Na", "张伟", "unnamed official"]}),
    ("people", {"in": ["Li Na", "张伟"], "caseInsensitive": False}),
    ("organizations", {"contains": "quantum"}),
    ("organizations", {"contains": "Quantum", "caseInsensitive": False}),
    ("organizations", {"contains": "QUANTUM", "caseInsensitive": False}),
    ("organizations", {"contains": "科技"}),
    ("organizations", {"equals": "BQTCL"}),
    ("organizations", {"startsWith": "beijing", "contains": "robotics"}),
    ("organizations", {"startsWith": "中关村", "contains": "数据"}),
    ("organizations", {"startsWith": "Suzhou", "contains": "Group", "caseInsensitive": False}),
    ("banks", {"startsWith": "bank of"}),
    ("banks", {"contains": "分行"}),
    ("banks", {"equals": "北京银行"}),
    ("credits", {"contains": "专利"}),
    ("entities", {"contains": "ip"}),
    ("entities", {"contains": "论坛"}),
    ("entities", {"equals": "signing ceremony"}),
]


@pytest.mark.parametrize(("field", "name"), NAME_FILTERS)
def test_name_filter(gql, gen, field, name):
    """A name filter matches the name or any alias; all conditions hold on one string."""
    assert check(gql, gen, field, {"name": name})


def test_name_filter_reaches_aliases(gql, gen):
    matched = check(gql, gen, "people", {"name": {"equals": "王伟"}})
    names = {gen.model.items[i].name for i in matched}
    assert "王伟" in names
    assert names - {"王伟"}, "some match only through an alias"


@pytest.mark.parametrize(
    ("field", "kinds"),
    [
        ("entities", ["BANK", "CREDIT"]),
        ("entities", ["PERSON"]),
        ("organizations", ["ORGANIZATION", "BANK"]),
    ],
)
def test_kinds_filter(gql, gen, field, kinds):
    assert check(gql, gen, field, {"kinds": kinds})


@pytest.mark.parametrize(
    ("field", "date"),
    [
        ("entities", {"after": "2015-03-01", "before": "2016-06-01"}),
        ("entities", {"after": "2023-01-01"}),
        ("events", {"before": "2011-02-01"}),
        ("agreements", {"after": "2010-10-01", "before": "2010-10-01"}),
        ("events", {"after": "2020-01-01", "before": "2021-12-31"}),
    ],
)
def test_date_filter(gql, gen, field, date):
    assert check(gql, gen, field, {"date": date})


def test_date_bounds_are_inclusive(gql, gen):
    days = sorted({i.date for i in gen.model.items.values() if i.date})
    low, high = days[len(days) // 3], days[len(days) // 2]
    where = {"date": {"after": low.isoformat(), "before": high.isoformat()}}
    found = {gen.model.items[i].date for i in check(gql, gen, "entities", where)}
    assert {low, high} <= found


@pytest.mark.parametrize(
    ("field", "amount"),
    [
        ("credits", {"min": 10_000_000, "max": 50_000_000, "currency": "CNY"}),
        ("credits", {"min": 1_000_000, "currency": "USD"}),
        ("credits", {"max": 100_000, "currency": "USD"}),
        ("agreements", {"min": 100_000_000, "currency": "CNY"}),
        ("entities", {"min": 2_000_000, "max": 2_500_000}),
        ("entities", {"currency": "USD"}),
    ],
)
def test_amount_filter(gql, gen, field, amount):
    assert check(gql, gen, field, {"amount": amount})


def test_amount_bounds_are_inclusive(gql, gen):
    amounts = sorted({i.amount for i in gen.model.items.values() if i.currency == "CNY"})
    low, high = amounts[len(amounts) // 3], amounts[len(amounts) // 2]
    where = {"amount": {"min": low, "max": high, "currency": "CNY"}}
    found = {gen.model.items[i].amount for i in check(gql, gen, "entities", where)}
    assert {low, high} <= found


# --- relationship filters ------------------------------------------------------------

RELATED = {
    "borrowed from a given bank": (
        "organizations",
        {
            "related": [
                {
                    "type": "BORROWED",
                    "direction": "OUT",
                    "where": {
                        "related": [
                            {"type": "LENT", "direction": "IN", "where": {"id": BIG_LENDER}}
                        ]
                    },
                }
            ]
        },
    ),
    "borrowed from any bank named Bank of Beijing": (
        "organizations",
        {
            "related": [
                {
                    "type": "BORROWED",
                    "where": {
                        "related": [
                            {
                                "type": "LENT",
                                "direction": "IN",
                                "where": {"kinds": ["BANK"], "name": {"equals": "bank of beijing"}},
                            }
                        ]
                    },
                }
            ]
        },
    ),
    "banks party to any agreement": (
        "banks",
        {"related": [{"type": "PARTY_TO", "direction": "OUT"}]},
    ),
    "banks lending under a large CNY agreement": (
        "banks",
        {
            "related": [
                {
                    "type": "PARTY_TO",
                    "role": {"equals": "LENDER"},
                    "where": {"amount": {"min": 50_000_000, "currency": "CNY"}},
                }
            ]
        },
    ),
    "people with a president title at a bank": (
        "people",
        {
            "related": [
                {
                    "type": "HOLDS_POSITION",
                    "direction": "OUT",
                    "title": {"contains": "president"},
                    "where": {"kinds": ["BANK"]},
                }
            ]
        },
    ),
    "people titled Deputy (case-sensitive) at a Chinese-named organization": (
        "people",
        {
            "related": [
                {
                    "type": "HOLDS_POSITION",
                    "title": {"startsWith": "Deputy", "caseInsensitive": False},
                    "where": {"name": {"contains": "北京"}},
                }
            ]
        },
    ),
    "people titled 行长 exactly": (
        "people",
        {"related": [{"type": "HOLDS_POSITION", "title": {"equals": "行长"}}]},
    ),
    "credits with a lender": ("credits", {"related": [{"type": "LENT", "direction": "IN"}]}),
    "anything related to the big lender": (
        "entities",
        {"related": [{"where": {"id": BIG_LENDER}}]},
    ),
    "credits under an agreement a Chinese-named bank signed": (
        "credits",
        {
            "related": [
                {
                    "type": "UNDER",
                    "direction": "OUT",
                    "where": {
                        "related": [
                            {
                                "type": "PARTY_TO",
                                "direction": "IN",
                                "where": {"kinds": ["BANK"], "name": {"contains": "银行"}},
                            }
                        ]
                    },
                }
            ]
        },
    ),
    "organizations that borrowed and signed": (
        "organizations",
        {"related": [{"type": "BORROWED"}, {"type": "PARTY_TO"}]},
    ),
    "people without a position": ("people", {"notRelated": [{"type": "HOLDS_POSITION"}]}),
    "organizations that never borrowed": (
        "organizations",
        {"notRelated": [{"type": "BORROWED", "direction": "OUT"}]},
    ),
    "events no bank organized": (
        "events",
        {"notRelated": [{"type": "ORGANIZED", "where": {"kinds": ["BANK"]}}]},
    ),
    "banks that lent, never to a borrower that signed an agreement": (
        "banks",
        {
            "related": [{"type": "LENT"}],
            "notRelated": [
                {
                    "type": "LENT",
                    "direction": "OUT",
                    "where": {
                        "related": [
                            {
                                "type": "BORROWED",
                                "direction": "IN",
                                "where": {"related": [{"type": "PARTY_TO"}]},
                            }
                        ]
                    },
                }
            ],
        },
    ),
}


@pytest.mark.parametrize(("field", "where"), list(RELATED.values()), ids=list(RELATED))
def test_relationship_filter(gql, gen, field, where):
    check(gql, gen, field, where)


def test_relationship_filters_are_not_trivial(gen):
    """Each relationship filter above selects some but not all of its collection."""
    for label, (field, where) in RELATED.items():
        assert 0 < len(gen.expected(field, where)) < len(gen.expected(field)), label


# --- AND / OR / NOT ------------------------------------------------------------------

COMBINATIONS = {
    "OR of name and kind": (
        "entities",
        {"OR": [{"name": {"contains": "科技"}}, {"kinds": ["BANK"]}]},
    ),
    "NOT a name": ("organizations", {"NOT": {"name": {"contains": "tech"}}}),
    "AND of amount and lender": (
        "credits",
        {
            "AND": [
                {"amount": {"min": 1_000_000, "currency": "USD"}},
                {"related": [{"type": "LENT", "where": {"name": {"startsWith": "bank of"}}}]},
            ]
        },
    ),
    "events or agreements, not ceremonies": (
        "entities",
        {
            "AND": [
                {"OR": [{"kinds": ["EVENT"]}, {"kinds": ["AGREEMENT"]}]},
                {"NOT": {"name": {"contains": "ceremony"}}},
            ]
        },
    ),
    "no position, or chairman": (
        "people",
        {
            "OR": [
                {"notRelated": [{"type": "HOLDS_POSITION"}]},
                {"related": [{"type": "HOLDS_POSITION", "title": {"equals": "董事长"}}]},
            ]
        },
    ),
    "NOT NOT": ("banks", {"NOT": {"NOT": {"name": {"contains": "beijing"}}}}),
    "nested OR inside a relationship": (
        "organizations",
        {
            "related": [
                {
                    "type": "PARTY_TO",
                    "where": {
                        "OR": [
                            {"date": {"before": "2012-12-31"}},
                            {"amount": {"min": 150_000_000}},
                        ]
                    },
                }
            ],
            "NOT": {"kinds": ["BANK"]},
        },
    ),
    "NOT a relationship": (
        "organizations",
        {"NOT": {"related": [{"type": "BORROWED"}]}},
    ),
}


@pytest.mark.parametrize(("field", "where"), list(COMBINATIONS.values()), ids=list(COMBINATIONS))
def test_combination(gql, gen, field, where):
    assert check(gql, gen, field, where)


# `NOT` of a condition on a property some entities lack: the model (and the schema's
# "This does not hold") counts an entity without a date as not dated after 2015.
NOT_ON_MISSING = {
    "NOT a date range, on entities without dates": (
        "entities",
        {"NOT": {"date": {"after": "2015-01-01"}}},
    ),
    "NOT an amount in CNY, on credits without one": (
        "credits",
        {"NOT": {"amount": {"currency": "CNY"}}},
    ),
}


@pytest.mark.parametrize(
    ("field", "where"), list(NOT_ON_MISSING.values()), ids=list(NOT_ON_MISSING)
)
def test_not_is_the_complement_when_the_property_is_missing(gql, gen, field, where):
    check(gql, gen, field, where)


# --- ordering ------------------------------------------------------------------------


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("key", ["NAME", "DATE", "AMOUNT"])
@pytest.mark.parametrize("field", list(KINDS))
def test_order(gql, gen, field, key, direction):
    """Exact order, ties broken by id in the same direction, missing keys smallest."""
    check(gql, gen, field, None, key, direction)


@pytest.mark.parametrize(
    ("field", "where", "key", "direction"),
    [
        ("people", {"name": {"equals": "wang wei"}}, "NAME", "DESC"),
        ("entities", {"kinds": ["EVENT", "AGREEMENT"]}, "DATE", "DESC"),
        ("entities", {"amount": {"currency": "CNY"}}, "AMOUNT", "ASC"),
    ],
)
def test_order_of_ties_is_by_id(gql, gen, field, where, key, direction):
    """Among equal sort keys the order is by id (checked on sets full of ties)."""
    expected = check(gql, gen, field, where, key, direction)
    keys = [sort_value(gen.model.items[i], key) for i in expected]
    assert len(set(keys)) < len(keys)


# --- paging --------------------------------------------------------------------------

PAGED = [
    ("entities", None, "NAME", "ASC"),
    ("entities", {"kinds": ["CREDIT", "AGREEMENT"]}, "AMOUNT", "DESC"),
    ("entities", {"kinds": ["EVENT", "AGREEMENT"]}, "DATE", "ASC"),
    ("people", {"related": [{"type": "HOLDS_POSITION"}]}, "NAME", "DESC"),
    (
        "organizations",
        {
            "OR": [
                {"name": {"contains": "data"}},
                {"name": {"contains": "数据"}},
                {"name": {"startsWith": "beijing"}},
            ]
        },
        "NAME",
        "ASC",
    ),
]


@pytest.mark.parametrize(("field", "where", "key", "direction"), PAGED)
def test_paging_by_97_visits_every_item_once(gql, gen, field, where, key, direction):
    expected = check(gql, gen, field, where, key, direction, first=97)
    assert len(expected) > 97


def test_page_size_equal_to_the_total_gives_one_page(gql, gen):
    expected = gen.expected("banks")
    page = fetch(gql, "banks", gen.within(None), first=len(expected))
    assert ids_of(page) == expected
    assert page["pageInfo"]["hasNextPage"] is False


def test_last_page_exactly_full_has_no_next_page(gql, gen):
    expected = gen.expected("banks")
    assert len(expected) % 2 == 0
    assert walk(gql, "banks", gen.within(None), first=len(expected) // 2) == expected


@pytest.mark.parametrize(
    "selection",
    [
        "{ ...Counted } } fragment Counted on BankConnection { totalCount }",
        "{ ... on BankConnection { totalCount } } }",
    ],
    ids=["named fragment", "inline fragment"],
)
def test_total_count_through_a_fragment(gql, gen, selection):
    query = "query($where: EntityWhere) { banks(where: $where) " + selection
    data = gql(query, {"where": gen.within(None)})
    assert data["banks"]["totalCount"] == len(gen.expected("banks"))


EMPTY_PAGE = {"totalCount": 0, "edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}
NOTHING = {
    "a name nothing has": ("entities", {"name": {"contains": "no such name"}}),
    "banks of kind ORGANIZATION": ("banks", {"kinds": ["ORGANIZATION"]}),
    "credits lending (LENT points to credits)": (
        "credits",
        {"related": [{"type": "LENT", "direction": "OUT"}]},
    ),
}


@pytest.mark.parametrize(("field", "where"), list(NOTHING.values()), ids=list(NOTHING))
def test_filter_matching_nothing_is_an_empty_page(gql, gen, field, where):
    assert gen.expected(field, where) == []
    assert fetch(gql, field, gen.within(where)) == EMPTY_PAGE


def test_after_the_last_cursor_is_an_empty_page(gql, gen):
    where = gen.within({"kinds": ["BANK"]})
    last = fetch(gql, "entities", where, first=500)
    assert last["pageInfo"]["hasNextPage"] is False
    page = fetch(gql, "entities", where, after=last["pageInfo"]["endCursor"])
    assert page == {**EMPTY_PAGE, "totalCount": last["totalCount"]}


def late_entities(gen: Generated, order: list[str], cursor: int) -> list[dict[str, Any]]:
    """Copies of some items (same name, date and amount, new ids) spread before and after
    the cursor position, and two copies of the cursor item itself whose ids sort before
    and after its id, so they land on either side of it."""
    by_id = {e["id"]: e for e in gen.doc["entities"]}
    picks = {
        f"{order[i]}-late": order[i]
        for i in (0, 5, cursor - 20, cursor - 1, cursor + 1, cursor + 30, len(order) - 1)
    }
    picks[f"{PREFIX}0-late"] = order[cursor]
    picks[f"{PREFIX}zz-late"] = order[cursor]
    return [
        {**by_id[original], "id": new_id, "provenance": [{"paragraph": 1}]}
        for new_id, original in picks.items()
    ]


@pytest.mark.parametrize(
    ("field", "key", "direction"),
    [("credits", "AMOUNT", "DESC"), ("organizations", "NAME", "ASC"), ("events", "DATE", "ASC")],
)
def test_paging_while_items_are_inserted(gql, gen, settings, field, key, direction):
    """Items inserted between pages, before and after the cursor: no original item is
    repeated or skipped, and exactly the new items after the cursor show up, in order."""
    original = gen.expected(field, None, key, direction)
    first = 97
    cursor = 2 * first - 1  # the last item of the second page
    late = late_entities(gen, original, cursor)
    late_ids = [e["id"] for e in late]
    where = gen.within(None, late_ids)
    order = order_by(key, direction)

    seen: list[str] = []
    after = None
    try:
        for _ in range(2):
            page = fetch(gql, field, where, order, first, after)
            seen += ids_of(page)
            after = page["pageInfo"]["endCursor"]
        assert seen == original[: cursor + 1]

        ingest(settings, document(late))
        while True:
            page = fetch(gql, field, where, order, first, after)
            seen += ids_of(page)
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    finally:
        delete_entities(settings, late_ids)

    assert len(seen) == len(set(seen)), "an item was repeated"
    assert [i for i in seen if i in set(original)] == original, "an item was skipped"
    everything = Model.of(gen.doc, document(late)).expected_ids(None, KINDS[field], key, direction)
    expected = original[: cursor + 1] + everything[everything.index(original[cursor]) + 1 :]
    assert seen == expected
    # The copies of the cursor item itself fall on either side of it, by id.
    lower, higher = f"{PREFIX}0-late", f"{PREFIX}zz-late"
    before, behind = (lower, higher) if direction == "ASC" else (higher, lower)
    assert before not in seen
    assert behind in seen


# --- bad input -----------------------------------------------------------------------


def b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


BAD_CURSORS = [
    "not-a-cursor",
    "!!!",
    "é",
    b64({"a": 1}),
    b64(["NAME", False]),
    b64(["NAME", False, [1], "gen-org-0001"]),
    b64(["NAME", False, "x", 7]),
    b64(["DATE", False, {"d": "2020-13-45"}, "gen-event-0001"]),
    b64(["DATE", False, {"x": 1}, "gen-event-0001"]),
    base64.urlsafe_b64encode(b"\xff\xfe\x00garbage").decode(),
]


def assert_bad_input(gql, field, where=None, order=None, first=20, after=None, mention=None):
    variables = {"where": where, "orderBy": order, "first": first, "after": after}
    error = gql.error(PAGE % field, variables)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    if mention:
        assert mention in error["message"]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_garbage_cursor_is_bad_user_input(gql, cursor):
    assert_bad_input(gql, "organizations", after=cursor, mention="`after`")


@pytest.mark.parametrize(("key", "value"), [("NAME", 5), ("AMOUNT", "lots"), ("DATE", 2020)])
def test_cursor_with_a_key_of_the_wrong_type_is_bad_user_input(gql, key, value):
    cursor = b64([key, False, value, "gen-org-0001"])
    assert_bad_input(gql, "organizations", order=order_by(key), after=cursor)


@pytest.mark.parametrize(
    ("issued_with", "used_with"),
    [
        (order_by("NAME", "ASC"), order_by("NAME", "DESC")),
        (order_by("NAME", "ASC"), order_by("DATE", "ASC")),
        (order_by("DATE", "DESC"), order_by("AMOUNT", "DESC")),
        (order_by("AMOUNT", "ASC"), None),
    ],
)
def test_cursor_from_another_order_is_bad_user_input(gql, gen, issued_with, used_with):
    page = fetch(gql, "entities", gen.within(None), issued_with, first=5)
    cursor = page["pageInfo"]["endCursor"]
    assert_bad_input(gql, "entities", order=used_with, after=cursor, mention="orderBy")


@pytest.mark.parametrize("first", [0, 501, -1])
@pytest.mark.parametrize("field", ["entities", "credits"])
def test_first_out_of_range_is_bad_user_input(gql, field, first):
    assert_bad_input(gql, field, first=first, mention="`first` must be between 1 and 500")


def test_first_500_is_allowed(gql, gen):
    page = fetch(gql, "entities", gen.within(None), first=500)
    assert len(page["edges"]) == 500
    assert page["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize(
    "where",
    [
        {"related": [{"type": "NOPE"}]},
        {"NOT": {"NOT": {"NOT": {"NOT": {"NOT": {"NOT": {"name": {"equals": "x"}}}}}}}},
    ],
    ids=["unknown relationship type", "nested too deep"],
)
def test_bad_filter_is_bad_user_input(gql, where):
    assert_bad_input(gql, "entities", where=where)
