"""Relationship fields page, filter, sort and count (graph/types/kinds.py,
graph/cypher/related.py).

Every "many" relationship field of every declared kind (read from the declaration, so a
new kind is covered without editing this file) is walked page by page on a hub of that
kind with more than one page of items, and compared with a plain Cypher reference query
over the same stored relationships: the items, their order and `totalCount`; sorted by
name, date and amount, and sorted and filtered by each of the relationship's own
properties. The hubs are this module's own facts (ids starting with `hub-`, written
beside the generated graph of tests/generated.py and removed afterwards): the generated
graph fills few fields and other modules assert on its counts, so it stays as it is. The
remaining tests use the generated graph's busiest entities and its plain-Python model.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from graph.db import Database
from graph.domain import (
    DATE,
    DOMAIN,
    INT,
    NUMBER,
    TEXT,
    Direction,
    KindDecl,
    Money,
    Property,
    sort_key_name,
)
from graph.domain.model import BOOL, TEXTS, RelationshipField
from tests.commands import delete_prefixed
from tests.generated import Link
from tests.generated_graph import Generated, generated_graph, ingest

PAGE = 97


@pytest.fixture(scope="module")
def gen(settings) -> Iterator[Generated]:
    yield from generated_graph(settings)


# --- the hubs -------------------------------------------------------------------------

HUB = "hub-"
HUB_SOURCE = {
    "id": "hub-source",
    "title": "Hubs for the relationship-field tests",
    "publisher": "tests/test_relationship_fields.py",
    "publishedOn": "2024-01-02",
    "authors": ["Test Generator"],
    "editors": [],
    "url": None,
}


def _fits(kind: KindDecl, field: RelationshipField) -> bool:
    """Whether the field's relationship type may start (OUT) or end (IN) at the kind: an
    interface's field on a kind the type does not touch always answers empty (a bank's
    `establishedBy`: only organizations are established)."""
    rel = DOMAIN.relationship_type(field.type)
    return kind.name in (rel.sources if field.direction == Direction.OUT else rel.targets)


# Every "many" relationship field of every declared kind, interfaces' included, that can
# hold items; and those that cannot.
MANY = [(k, f) for k in DOMAIN.kinds for f in k.all_relationships() if f.many and _fits(k, f)]
MANY_IDS = [f"{k.label}.{f.name}" for k, f in MANY]
NEVER = [(k, f) for k in DOMAIN.kinds for f in k.all_relationships() if f.many and not _fits(k, f)]

# Relationship texts: case variants (sorting is by the stored text, filtering ignores
# case), a Chinese one, and missing values (which sort first).
TEXTS_USED = ["alpha", "Beta", "beta", "gamma", "delta", "董事长", None]
NAMES = ["Alpha", "alpha", "Beta", "Gamma", "GAMMA", "Delta", "Epsilon", "北京", "上海"]


def hub_id(kind: KindDecl) -> str:
    return f"{HUB}{kind.name.lower().replace('_', '-')}"


def _other_kinds(field: RelationshipField) -> tuple[str, ...]:
    rel = DOMAIN.relationship_type(field.type)
    return rel.targets if field.direction == Direction.OUT else rel.sources


def _day(rng: random.Random) -> str | None:
    """Missing at times, else one of 25 days: a hub's other ends share dates, so the
    order among equal dates (by id) is tested too."""
    if rng.random() < 0.15:
        return None
    return (dt.date(2010, 1, 1) + dt.timedelta(days=90 * rng.randint(0, 24))).isoformat()


def _value(rng: random.Random, prop: Property | Money) -> dict[str, Any]:
    """A random value of a declared property, as the stored columns it is written to."""
    if isinstance(prop, Money):
        if rng.random() < 0.15:
            return {}
        amount = float(rng.randint(1, 50) * 100_000)
        return {prop.amount: amount, prop.currency: rng.choice(["CNY", "CNY", "USD"])}
    value: Any = {
        TEXT: lambda: rng.choice(TEXTS_USED),
        DATE: lambda: _day(rng),
        INT: lambda: rng.choice([None, *range(1, 8)]),
        NUMBER: lambda: rng.choice([None, 0.5, 1.0, 2.5, 10.0]),
        BOOL: lambda: rng.choice([None, True, False]),
        TEXTS: lambda: rng.sample(["a", "b", "c"], rng.randint(0, 2)),
    }[prop.type]()
    return {} if value is None else {prop.stored: value}


class _Hubs:
    """One hub per kind, each linked along every "many" field of its kind to more than a
    page of spokes (fresh entities of the kinds the relationship type allows at the other
    end). A spoke whose kind reads the relationship as a single-valued field (a credit's
    `lender`, a patent's `owner`) is linked by one hub only, so that field stays single."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.entities: list[dict[str, Any]] = []
        self.relationships: list[dict[str, Any]] = []
        self.spokes: dict[str, list[str]] = defaultdict(list)
        self.taken: set[tuple[str, str, str]] = set()  # (spoke, type, its direction)

    def entity(self, kind: KindDecl, entity_id: str) -> str:
        rng = self.rng
        props: dict[str, Any] = {}
        if (column := kind.date_column()) is not None:
            props |= {column: _day(rng)}
        if (money := kind.totals_money()) is not None:
            props |= _value(rng, money)
        name = f"{rng.choice(NAMES)} {kind.label} {rng.randint(1, 12)}"
        self.entities.append(
            {
                "id": entity_id,
                "kind": kind.name,
                "name": name.upper() if rng.random() < 0.1 else name,
                "aliases": [],
                "properties": {k: v for k, v in props.items() if v is not None},
                "provenance": [{"paragraph": 1}],
            }
        )
        return entity_id

    def _single(self, kind: str, rel_type: str, direction: str) -> bool:
        return any(
            f.type == rel_type and str(f.direction) == direction and not f.many
            for f in DOMAIN.kind(kind).all_relationships()
        )

    def spoke(self, kind: str, rel_type: str, direction: str, used: set[str]) -> str:
        """A spoke of `kind` not yet in `used`, free for (type, direction) when its kind
        reads that as single-valued; a new one when none is."""
        single = self._single(kind, rel_type, direction)
        for spoke in self.spokes[kind]:
            if spoke not in used and not (single and (spoke, rel_type, direction) in self.taken):
                break
        else:
            decl = DOMAIN.kind(kind)
            spoke = self.entity(decl, f"{hub_id(decl)}-{len(self.spokes[kind]) + 1:04d}")
            self.spokes[kind].append(spoke)
        if single:
            self.taken.add((spoke, rel_type, direction))
        return spoke

    def link(self, hub: str, field: RelationshipField, count: int) -> None:
        rel = DOMAIN.relationship_type(field.type)
        kinds = _other_kinds(field)
        there = "IN" if field.direction == Direction.OUT else "OUT"
        used: set[str] = set()
        for i in range(count):
            spoke = self.spoke(kinds[i % len(kinds)], field.type, there, used)
            used.add(spoke)
            start, end = (hub, spoke) if field.direction == Direction.OUT else (spoke, hub)
            props: dict[str, Any] = {}
            for prop in rel.properties:
                props |= _value(self.rng, prop)
            self.relationships.append(
                {
                    "from": start,
                    "type": field.type,
                    "to": end,
                    "properties": props,
                    "provenance": [{"paragraph": 2}],
                }
            )


def hub_document(seed: int = 20240102) -> dict[str, Any]:
    """The hubs and their spokes, in the ingest format. Sizes: the first field exactly two
    pages (the last page full), the second one item over a page, the rest in between."""
    hubs = _Hubs(seed)
    for kind in DOMAIN.kinds:
        hubs.entity(kind, hub_id(kind))
    # One set of links per (kind, type, direction): two fields on the same relationships
    # (a bank's `credits` and `creditsGranted`) list the same items.
    done: set[tuple[str, str, str]] = set()
    for i, (kind, field) in enumerate(MANY):
        key = (kind.name, field.type, str(field.direction))
        if key in done:
            continue
        done.add(key)
        size = [2 * PAGE, PAGE + 1][i] if i < 2 else PAGE + 1 + (i * 37) % PAGE
        hubs.link(hub_id(kind), field, size)
    return {"source": HUB_SOURCE, "entities": hubs.entities, "relationships": hubs.relationships}


class Cypher:
    """Plain read queries on the test Neo4j, over one driver for the whole module."""

    def __init__(self, settings) -> None:
        self.runner = asyncio.Runner()
        self.db = self.runner.run(self._open(settings))

    @staticmethod
    async def _open(settings) -> Database:
        return Database(settings)

    def __call__(self, query: str, **params: Any) -> list[dict[str, Any]]:
        return self.runner.run(self.db.read((query, params)))

    def close(self) -> None:
        self.runner.run(self.db.close())
        self.runner.close()


@pytest.fixture(scope="module")
def hubs(settings, gen) -> Iterator[Cypher]:
    """The hubs written beside the generated graph for this module (removed afterwards),
    and a way to query them."""
    delete_prefixed(settings, HUB)  # leftovers of an interrupted run
    ingest(settings, hub_document())
    cypher = Cypher(settings)
    try:
        yield cypher
    finally:
        cypher.close()
        delete_prefixed(settings, HUB)


# --- the reference: plain Cypher over the stored relationships --------------------------

_SENTINEL = {
    TEXT: "''",
    DATE: "date('0001-01-01')",
    INT: "-1.0e300",
    NUMBER: "-1.0e300",
}


def _per_kind(columns: dict[str, str]) -> str:
    """The other end's value of a per-kind column (its date, its amount)."""
    cases = " ".join(f"WHEN o:`{label}` THEN o.`{column}`" for label, column in columns.items())
    return f"CASE {cases} END" if cases else "null"


_DATE_OF = _per_kind({k.label: c for k in DOMAIN.kinds if (c := k.date_column())})
_AMOUNT_OF = _per_kind({k.label: m.amount for k in DOMAIN.kinds if (m := k.totals_money())})


def _declared(field: RelationshipField, name: str) -> Property:
    prop = DOMAIN.relationship_type(field.type).property(name)
    assert isinstance(prop, Property), name
    return prop


def reference(
    cypher: Cypher,
    entity_id: str,
    field: RelationshipField,
    key: str = "NAME",
    direction: str = "ASC",
    edge: dict[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The field's items as plain Cypher finds them: the other ends of the entity's
    relationships of the field's type and direction, filtered by the relationship's own
    properties (`edge`, as the API takes it), ordered by `key` with a missing value as the
    smallest and ties broken by the other end's id. The type and property names come
    from the declaration."""
    arrow = "-[r:`{t}`]->" if field.direction == Direction.OUT else "<-[r:`{t}`]-"
    sort = {
        "NAME": "toLower(o.name)",
        "DATE": f"coalesce({_DATE_OF}, {_SENTINEL[DATE]})",
        "AMOUNT": f"coalesce({_AMOUNT_OF}, {_SENTINEL[NUMBER]})",
    }.get(key)
    if sort is None:
        prop = _declared(field, key)
        sort = f"coalesce(r.`{prop.stored}`, {_SENTINEL[prop.type]})"
    conditions = ["true"]
    params: dict[str, Any] = {"id": entity_id}
    for i, (name, spec) in enumerate((edge or {}).items()):
        prop = _declared(field, name)
        column = f"r.`{prop.stored}`"
        if "in" in spec:
            conditions.append(f"toLower({column}) IN $in{i}")
            params[f"in{i}"] = [v.lower() for v in spec["in"]]
        for bound, op in (("after", ">="), ("min", ">="), ("before", "<="), ("max", "<=")):
            if bound in spec:
                value = spec[bound]
                conditions.append(f"{column} {op} $b{i}{bound}")
                params[f"b{i}{bound}"] = (
                    dt.date.fromisoformat(value) if prop.type == DATE else value
                )
    return cypher(
        f"MATCH (h:Entity {{id: $id}}){arrow.format(t=field.type)}(o:Entity) "
        f"WHERE {' AND '.join(conditions)} "
        f"RETURN o.id AS id, properties(r) AS props, {sort} AS key "
        f"ORDER BY key {direction}, o.id {direction}",
        **params,
    )


def _literal(value: Any) -> str:
    """A GraphQL input literal of a filter (objects, lists, strings, numbers)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return json.dumps(value)


def _order(key: str, direction: str) -> str:
    return f", orderBy: {{key: {key}, direction: {direction}}}"


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


def _field(kind: str, name: str) -> RelationshipField:
    return next(f for k, f in MANY if k.name == kind and f.name == name)


def _walk(gql, entity_id: str, label: str, field: str, args: str = "", edge: str = ""):
    """Every page of `<field>Connection` until hasNextPage is false."""
    query = f"""
    query Walk($id: ID!, $after: String) {{
      entity(id: $id) {{
        ... on {label} {{
          {field}Connection(first: {PAGE}, after: $after {args}) {{
            totalCount
            aggregate {{ count }}
            pageInfo {{ hasNextPage endCursor }}
            edges {{ cursor node {{ id }} {edge} }}
          }}
        }}
      }}
    }}"""
    after, edges, totals, pages = None, [], set(), 0
    while True:
        page = gql(query, {"id": entity_id, "after": after})["entity"][f"{field}Connection"]
        totals |= {page["totalCount"], page["aggregate"]["count"]}
        edges += page["edges"]
        pages += 1
        assert pages < 100, "paging did not end"
        if not page["pageInfo"]["hasNextPage"]:
            assert len(page["edges"]) <= PAGE
            return edges, totals, pages
        assert len(page["edges"]) == PAGE
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        after = page["pageInfo"]["endCursor"]


def _other_end(field: RelationshipField) -> str:
    """How a list field's item reaches the other end: itself, or its wrapper's end."""
    wrapper = DOMAIN.relationship_type(field.type).wrapper
    if wrapper is None:
        return "{ id }"
    return f"{{ {wrapper.end if field.direction == Direction.OUT else wrapper.start} {{ id }} }}"


@pytest.mark.parametrize(("kind", "field"), MANY, ids=MANY_IDS)
def test_every_relationship_field_of_a_hub_pages_like_the_reference(gql, hubs, kind, field):
    expected = [row["id"] for row in reference(hubs, hub_id(kind), field)]
    assert len(expected) > PAGE, "the hub should hold more than a page"
    edges, totals, pages = _walk(gql, hub_id(kind), kind.label, field.name)
    assert [e["node"]["id"] for e in edges] == expected
    assert totals == {len(expected)}
    assert pages == -(-len(expected) // PAGE) >= 2
    # The plain list field gives the same items in the same order, up to `first`.
    listed = gql(
        f'{{ entity(id: "{hub_id(kind)}") {{ ... on {kind.label} '
        f"{{ {field.name}(first: 500) {_other_end(field)} }} }} }}"
    )["entity"][field.name]
    wrapper = DOMAIN.relationship_type(field.type).wrapper
    if wrapper is not None:
        end = wrapper.end if field.direction == Direction.OUT else wrapper.start
        listed = [item[end] for item in listed]
    assert [item["id"] for item in listed] == expected


@pytest.mark.usefixtures("hubs")
@pytest.mark.parametrize(("kind", "field"), NEVER, ids=[f"{k.label}.{f.name}" for k, f in NEVER])
def test_a_field_the_type_does_not_reach_is_empty(gql, kind, field):
    data = gql(
        f'{{ entity(id: "{hub_id(kind)}") {{ ... on {kind.label} {{ '
        f"{field.name}(first: 500) {{ __typename }} "
        f"{field.name}Connection {{ totalCount edges {{ cursor }} }} }} }} }}"
    )["entity"]
    assert data[field.name] == []
    assert data[f"{field.name}Connection"] == {"totalCount": 0, "edges": []}


def _has_values(rows: list[dict[str, Any]], sentinel: Any) -> bool:
    """Both present and missing keys, and ties among the present ones: an order that can
    be got wrong."""
    present = [r["key"] for r in rows if r["key"] != sentinel]
    return len(present) < len(rows) and len(set(present)) < len(present)


# Orders by the other end: by date and amount on every field whose other end's kinds
# declare one; by name descending on one field of each relationship type (the other
# ends' names are read alike whatever the type).
_FIRST_OF_TYPE = list({f.type: (k, f) for k, f in reversed(MANY)}.values())
ORDERS = [
    *((k, f, "NAME", "DESC") for k, f in _FIRST_OF_TYPE),
    *(
        (kind, field, key, direction)
        for kind, field in MANY
        for key, direction, declares in (
            ("DATE", "ASC", lambda k: k.date is not None),
            ("AMOUNT", "DESC", lambda k: k.totals is not None),
        )
        if any(declares(DOMAIN.kind(other)) for other in _other_kinds(field))
    ),
]


@pytest.mark.parametrize(
    ("kind", "field", "key", "direction"),
    ORDERS,
    ids=[f"{k.label}.{f.name}-{key}-{d}" for k, f, key, d in ORDERS],
)
def test_every_relationship_field_sorts_like_the_reference(gql, hubs, kind, field, key, direction):
    rows = reference(hubs, hub_id(kind), field, key, direction)
    if key != "NAME":
        sentinel = dt.date(1, 1, 1) if key == "DATE" else -1.0e300
        assert _has_values(rows, sentinel), "nothing to sort"
    edges, totals, pages = _walk(gql, hub_id(kind), kind.label, field.name, _order(key, direction))
    assert [e["node"]["id"] for e in edges] == [r["id"] for r in rows]
    assert totals == {len(rows)}
    assert pages >= 2


# Every sortable property of a relationship type, on every field that follows the type.
# Both directions, alternately.
EDGE_PROPERTIES = [
    (kind, field, prop, ["DESC", "ASC"][i % 2])
    for i, (kind, field, prop) in enumerate(
        (kind, field, prop)
        for kind, field in MANY
        for prop in DOMAIN.relationship_type(field.type).properties
        if isinstance(prop, Property) and prop.type in (TEXT, DATE, INT, NUMBER)
    )
]
EDGE_IDS = [f"{k.label}.{f.name}.{p.name}-{d}" for k, f, p, d in EDGE_PROPERTIES]


def _edge_filter(prop: Property, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A condition on the property that some but not all of these relationships meet."""
    values = sorted(v for r in rows if (v := r["props"].get(prop.stored)) is not None)
    assert len(set(values)) >= 3, f"too few distinct {prop.name} values to filter on"
    if prop.type == TEXT:
        counts = Counter(v.lower() for v in values)
        return {"in": sorted(counts, key=lambda v: (-counts[v], v))[:2]}
    low, high = values[len(values) // 4], values[(3 * len(values)) // 4]
    if prop.type == DATE:
        return {"after": low.isoformat(), "before": high.isoformat()}
    return {"min": low, "max": high}


@pytest.mark.parametrize(("kind", "field", "prop", "direction"), EDGE_PROPERTIES, ids=EDGE_IDS)
def test_sorted_and_filtered_by_the_relationships_own_property(
    gql, hubs, kind, field, prop, direction
):
    """A membership's `since`, a position's title, a party's role, ...: sorted by it, then
    filtered by it (and still sorted), each compared with the reference."""
    rows = reference(hubs, hub_id(kind), field, prop.name, direction)
    assert _has_values(rows, dt.date(1, 1, 1) if prop.type == DATE else ""), "nothing to sort"
    order = _order(sort_key_name(prop.name), direction)
    edges, totals, pages = _walk(gql, hub_id(kind), kind.label, field.name, order, prop.name)
    assert [(e["node"]["id"], e[prop.name]) for e in edges] == [
        (r["id"], _shown(r["props"].get(prop.stored))) for r in rows
    ]
    assert totals == {len(rows)}
    assert pages >= 2

    spec = _edge_filter(prop, rows)
    chosen = reference(hubs, hub_id(kind), field, prop.name, direction, {prop.name: spec})
    assert 0 < len(chosen) < len(rows)
    edges, totals, _ = _walk(
        gql,
        hub_id(kind),
        kind.label,
        field.name,
        f"{order}, edge: {_literal({prop.name: spec})}",
        prop.name,
    )
    assert [e["node"]["id"] for e in edges] == [r["id"] for r in chosen]
    assert totals == {len(chosen)}


def _shown(value: Any) -> Any:
    """A stored value as the API shows it (a date as ISO text)."""
    return value.isoformat() if isinstance(value, dt.date) else value


def test_the_hub_bank_is_walked_in_more_than_one_page(gql, gen):
    bank = _field("BANK", "creditsGranted")
    entity_id, count = _busiest(gen, "BANK", bank)
    assert count > PAGE, "the generated graph should give its busiest bank over a page"
    edges, _, pages = _walk(gql, entity_id, "Bank", "creditsGranted")
    ids = [e["node"]["id"] for e in edges]
    assert len(ids) == len(set(ids)) == count
    assert pages == 2


def test_node_filter_and_amount_order_and_aggregate(gql, gen):
    field = _field("BANK", "creditsGranted")
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
    field = _field("ORGANIZATION", "organized")
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
    field = _field("BANK", "creditsGranted")
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
