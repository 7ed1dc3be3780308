"""Relationship fields page, filter, sort and count (graph/types/kinds.py,
graph/cypher/related.py), checked against the plain-Python model of the generated graph
(tests/generated.py): every typed relationship field of the busiest entities, walked page
by page, gives exactly the model's items in the model's order, each once."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

import pytest

from graph.domain import DOMAIN
from tests.generated import Link
from tests.generated_graph import Generated, generated_graph

PAGE = 97


@pytest.fixture(scope="module")
def gen(settings) -> Iterator[Generated]:
    yield from generated_graph(settings)


# (kind, field) for every "many" relationship field the generated graph can fill.
FIELDS = [
    (k.name, k.label, f)
    for k in DOMAIN.kinds
    if k.name in {"ORGANIZATION", "BANK", "PERSON", "AGREEMENT", "EVENT", "CREDIT"}
    for f in k.all_relationships()
    if f.many
]


def _links(gen, entity_id: str, field) -> list[Link]:
    return [
        link
        for link in gen.model.links[entity_id]
        if link.type == field.type and link.direction == str(field.direction)
    ]


def _busiest(gen, kind: str, field) -> tuple[str, int]:
    best = max(
        (i for i in gen.model.items.values() if i.kind == kind),
        key=lambda i: (len(_links(gen, i.id, field)), i.id),
    )
    return best.id, len(_links(gen, best.id, field))


def _name_order(gen, links: list[Link]) -> list[str]:
    items = [gen.model.items[link.other] for link in links]
    return [i.id for i in sorted(items, key=lambda i: (i.name.lower(), i.id))]


def _walk(gql, entity_id: str, label: str, field: str, args: str = "", edge: str = ""):
    """Every page of `<field>Connection` until hasNextPage is false."""
    query = f"""
    query Walk($id: ID!, $after: String) {{
      entity(id: $id) {{
        ... on {label} {{
          {field}Connection(first: {PAGE}, after: $after {args}) {{
            totalCount
            pageInfo {{ hasNextPage endCursor }}
            edges {{ cursor node {{ id }} {edge} }}
          }}
        }}
      }}
    }}"""
    after, edges, totals, pages = None, [], set(), 0
    while True:
        page = gql(query, {"id": entity_id, "after": after})["entity"][f"{field}Connection"]
        totals.add(page["totalCount"])
        edges += page["edges"]
        pages += 1
        assert pages < 100, "paging did not end"
        if not page["pageInfo"]["hasNextPage"]:
            assert len(page["edges"]) <= PAGE
            return edges, totals, pages
        assert len(page["edges"]) == PAGE
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize(("kind", "label", "field"), FIELDS, ids=lambda v: getattr(v, "name", v))
def test_every_relationship_field_pages_like_the_model(gql, gen, kind, label, field):
    entity_id, count = _busiest(gen, kind, field)
    edges, totals, pages = _walk(gql, entity_id, label, field.name)
    expected = _name_order(gen, _links(gen, entity_id, field))
    assert [e["node"]["id"] for e in edges] == expected
    assert totals == {count}
    assert pages == max(1, -(-count // PAGE))
    # The plain list field gives the same first items, up to `first`.
    listed = gql(
        f'{{ entity(id: "{entity_id}") {{ ... on {label} {{ {field.name}(first: 500) '
        + ("{ __typename }" if DOMAIN.relationship_type(field.type).wrapper else "{ id }")
        + " } } }"
    )["entity"][field.name]
    assert len(listed) == min(count, 500)


def test_the_hub_bank_is_walked_in_more_than_one_page(gql, gen):
    bank = next(f for k, _, f in FIELDS if k == "BANK" and f.name == "creditsGranted")
    entity_id, count = _busiest(gen, "BANK", bank)
    assert count > PAGE, "the generated graph should give its busiest bank over a page"
    edges, _, pages = _walk(gql, entity_id, "Bank", "creditsGranted")
    ids = [e["node"]["id"] for e in edges]
    assert len(ids) == len(set(ids)) == count
    assert pages == 2


def test_sorted_and_filtered_by_the_relationships_own_property(gql, gen):
    # The agreement with the most parties, by role descending, only some roles.
    field = next(f for k, _, f in FIELDS if k == "AGREEMENT" and f.name == "parties")
    entity_id, _ = _busiest(gen, "AGREEMENT", field)
    links = _links(gen, entity_id, field)
    roles = sorted({link.props.get("role") or "" for link in links} - {""})[:2]
    edges, totals, _ = _walk(
        gql,
        entity_id,
        "Agreement",
        "parties",
        f", orderBy: {{key: ROLE, direction: DESC}}, edge: {{role: {{in: {roles!r}}}}}".replace(
            "'", '"'
        ),
        "role",
    )
    chosen = [link for link in links if (link.props.get("role") or "") in roles]
    expected = sorted(
        chosen,
        key=lambda link: (link.props.get("role") or "", link.other),
        reverse=True,
    )
    assert [(e["role"], e["node"]["id"]) for e in edges] == [
        (link.props.get("role"), link.other) for link in expected
    ]
    assert totals == {len(chosen)}


def test_people_sorted_by_title_across_organizations(gql, gen):
    field = next(f for k, _, f in FIELDS if k == "ORGANIZATION" and f.name == "people")
    entity_id, count = _busiest(gen, "ORGANIZATION", field)
    edges, _, _ = _walk(
        gql, entity_id, "Organization", "people", ", orderBy: {key: TITLE}", "title"
    )
    expected = sorted(
        _links(gen, entity_id, field), key=lambda link: (link.props.get("title") or "", link.other)
    )
    assert [(e["title"], e["node"]["id"]) for e in edges] == [
        (link.props.get("title"), link.other) for link in expected
    ]
    assert len(edges) == count


def test_node_filter_and_amount_order_and_aggregate(gql, gen):
    field = next(f for k, _, f in FIELDS if k == "BANK" and f.name == "creditsGranted")
    entity_id, _ = _busiest(gen, "BANK", field)
    credits = [gen.model.items[link.other] for link in _links(gen, entity_id, field)]
    in_cny = [c for c in credits if c.currency == "CNY" and c.amount is not None]
    data = gql(
        """query($id: ID!) { entity(id: $id) { ... on Bank {
            creditsGrantedConnection(first: 500, where: {amount: {currency: "CNY"}},
                                     orderBy: {key: AMOUNT, direction: DESC}) {
              totalCount edges { node { id } }
              aggregate { count totals { currency amount count min max } } }
            all: creditsGrantedConnection { aggregate { count totals { currency amount count } } }
        } } }""",
        {"id": entity_id},
    )["entity"]
    page = data["creditsGrantedConnection"]
    expected = sorted(in_cny, key=lambda c: (c.amount, c.id), reverse=True)
    assert [e["node"]["id"] for e in page["edges"]] == [c.id for c in expected]
    assert page["totalCount"] == page["aggregate"]["count"] == len(in_cny)
    [cny] = page["aggregate"]["totals"]
    assert cny["currency"] == "CNY"
    assert cny["amount"] == pytest.approx(sum(c.amount for c in in_cny))
    assert cny["count"] == len(in_cny)
    assert cny["min"] == min(c.amount for c in in_cny)
    assert cny["max"] == max(c.amount for c in in_cny)
    # Unfiltered: one sum per currency, each credit's own amount once.
    sums: dict[str, float] = defaultdict(float)
    for c in credits:
        if c.currency and c.amount is not None:
            sums[c.currency] += c.amount
    got = {t["currency"]: t["amount"] for t in data["all"]["aggregate"]["totals"]}
    assert got == pytest.approx(dict(sums))
    assert data["all"]["aggregate"]["count"] == len(credits)


def test_dates_aggregate_is_the_span_of_the_other_ends(gql, gen):
    field = next(f for k, _, f in FIELDS if k == "ORGANIZATION" and f.name == "organized")
    entity_id, _ = _busiest(gen, "ORGANIZATION", field)
    dates = [
        gen.model.items[link.other].date
        for link in _links(gen, entity_id, field)
        if gen.model.items[link.other].date
    ]
    span = gql(
        """query($id: ID!) { entity(id: $id) { ... on Organization {
             organizedConnection { aggregate { dates { earliest latest count } } } } } }""",
        {"id": entity_id},
    )["entity"]["organizedConnection"]["aggregate"]["dates"]
    if not dates:
        assert span is None
    else:
        assert dt.date.fromisoformat(span["earliest"]) == min(dates)
        assert dt.date.fromisoformat(span["latest"]) == max(dates)
        assert span["count"] == len(dates)


def test_generic_relationships_connection_walks_every_relationship(gql, gen):
    entity_id = max(gen.model.links, key=lambda i: (len(gen.model.links[i]), i))
    links = gen.model.links[entity_id]
    query = """query($id: ID!, $after: String) { entity(id: $id) {
        relationshipsConnection(first: 97, after: $after) { totalCount
          pageInfo { hasNextPage endCursor } edges { node { type direction other { id } } } } } }"""
    after, seen = None, []
    for _ in range(100):
        page = gql(query, {"id": entity_id, "after": after})["entity"]["relationshipsConnection"]
        assert page["totalCount"] == len(links)
        seen += [
            (e["node"]["type"], e["node"]["direction"], e["node"]["other"]["id"])
            for e in page["edges"]
        ]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted((link.type, link.direction, link.other) for link in links)
    assert len(seen) == len(set(seen))
    types = [t for t, _, _ in seen]
    assert types == sorted(types)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("first: 501", "between 1 and 500"),
        ("first: 0", "between 1 and 500"),
        ('after: "bm90IGEgY3Vyc29y"', "not a cursor"),
    ],
)
def test_bad_paging_arguments_are_bad_user_input(gql, args, message):
    error = gql.error(
        f'{{ entity(id: "bank-of-beijing") {{ ... on Bank {{ creditsGrantedConnection({args}) '
        "{ totalCount } } } }"
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in error["message"]


def test_list_field_above_its_cap_is_bad_user_input(gql):
    error = gql.error(
        '{ entity(id: "bank-of-beijing") { ... on Bank { credits(first: 501) { id } } } }'
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_cursor_of_another_order_is_refused(gql, gen):
    field = next(f for k, _, f in FIELDS if k == "BANK" and f.name == "creditsGranted")
    entity_id, _ = _busiest(gen, "BANK", field)
    page = gql(
        """query($id: ID!) { entity(id: $id) { ... on Bank {
             creditsGrantedConnection(first: 2) { pageInfo { endCursor } } } } }""",
        {"id": entity_id},
    )["entity"]["creditsGrantedConnection"]
    error = gql.error(
        """query($id: ID!, $after: String) { entity(id: $id) { ... on Bank {
             creditsGrantedConnection(first: 2, after: $after, orderBy: {key: DATE}) {
               totalCount } } } }""",
        {"id": entity_id, "after": page["pageInfo"]["endCursor"]},
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "differently ordered" in error["message"]


@pytest.mark.parametrize("root", ["entity", "node"])
def test_a_nested_filter_naming_an_undeclared_type_is_bad_input(gql, root):
    """Found by schema fuzzing: the filter of a relationship field inside a root field's
    one query was refused by the Cypher builder as an internal error."""
    error = gql.error(
        f'{{ {root}(id: "bank-of-beijing") {{ ... on Bank {{ creditsGranted(where: '
        '{notRelated: [{type: "NOPE"}]}) { id } } } }'
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith(
        "The filter is not valid: relationship type 'NOPE' is not declared; the declared "
        "types are ADMINISTERS, ATTENDED, "
    ), error["message"]
    assert error["message"].endswith(", SECURES and UNDER."), error["message"]
