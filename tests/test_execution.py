"""Root fields completed in one pass (graph/execution.py) answer exactly what
graphql-core's field-by-field walk answers: data, errors and their paths alike."""

from __future__ import annotations

import json

import pytest
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graph import execution
from graph.db import Database
from graph.resolvers.context import Context
from graph.schema import schema
from tests.queries import QUERIES as ROUND_TRIP_QUERIES

pytestmark = pytest.mark.neo4j

NAMES = "fragment Names on Entity { id name kind __typename }"

QUERIES = [
    *ROUND_TRIP_QUERIES,
    # Aliases, __typename, fragments on interfaces and concrete types, directives.
    (
        """query ($skip: Boolean!) { e: entity(id: "bank-of-beijing") { ...Names
             aliases properties provenance { paragraph locator source { id title
               publishedOn authors } }
             ... on Organizational { orgType people { title person { ...Names } } }
             ... on Bank { granted: creditsGranted { ...Names ... on Credit {
               amount { amount currency } convertedAmount { amount }
               borrower @skip(if: $skip) { name } securedBy { name } } } }
             relationships(direction: OUT, first: 5) { type direction properties
               other { __typename id } } } }"""
        + NAMES,
        {"skip": False},
    ),
    (
        """query ($skip: Boolean!) { entity(id: "bank-of-beijing") { id
             ... on Bank { creditsGranted { ... on Credit { borrower @skip(if: $skip) {
               name } lender @include(if: $skip) { id } } } } } }""",
        {"skip": True},
    ),
    # Collections, cursors, pages; a deep page after a cursor.
    (
        """{ organizations(first: 4, orderBy: {key: NAME}) { totalCount
             pageInfo { hasNextPage endCursor } edges { cursor node { ...Names
               ... on Organization { memberCount parent { name } } } } } }"""
        + NAMES,
        None,
    ),
    (
        """{ credits(first: 2, orderBy: {key: AMOUNT, direction: DESC}) { edges { node {
             id amount { amount currency } lender { id } } } }
           agreements { edges { node { name signedOn totalCredit { amount currency }
             parties { role party { name } } } } }
           events { edges { node { name date attendeeGroups organizers { name } } } } }""",
        None,
    ),
    (
        """{ search(text: "Bank of Bejing", first: 3) { score entity { ...Names } }
           stats { entities relationships entitiesByKind { kind count } }
           sources { id title publishedOn } }"""
        + NAMES,
        None,
    ),
    # Same field twice under one key: the selections are merged.
    (
        """{ entity(id: "potevio") { id ... on Organization { creditsReceived { id } }
             ... on Organization { creditsReceived { name } } } }""",
        None,
    ),
]

# Answers with errors: the engine must give them, the same with or without the shortcut.
ERRORS = [
    ('{ entity(id: "bank-of-beijing") { relationships(first: 0) { type } } }', None),
    ('{ entity(id: "bank-of-beijing") { relationships(types: ["NOPE"]) { type } } }', None),
    ('{ organizations(first: 2, after: "not-a-cursor") { edges { cursor } } }', None),
    ('{ ok: entity(id: "potevio") { id } bad: search(text: "x", first: 0) { score } }', None),
    # A relationship field's bad argument, met while its window is prepared.
    ('{ entity(id: "bank-of-beijing") { ... on Bank { creditsGranted(first: 0) { id } } } }', None),
]


async def _execute(db: Database, query: str, variables: dict | None, shaped: bool, **ctx):
    saved = schema.execution_context_class
    if not shaped:
        schema.execution_context_class = StrawberryGraphQLCoreExecutionContext
    try:
        result = await schema.execute(
            query, variable_values=variables, context_value=Context(db=db, **ctx)
        )
    finally:
        schema.execution_context_class = saved
    errors = [e.formatted for e in result.errors or []]
    # Key order is part of the answer: compare the JSON text.
    return json.dumps(result.data, default=str), errors


@pytest.fixture
async def db(settings):
    database = Database(settings)
    yield database
    await database.close()


def test_the_schema_uses_the_shortcut():
    assert schema.execution_context_class is execution.ShapedExecutionContext


@pytest.mark.parametrize(("query", "variables"), QUERIES)
async def test_same_answer_as_the_walk(db, query, variables):
    before = execution.COUNTS["shaped"]
    shaped = await _execute(db, query, variables, shaped=True)
    assert execution.COUNTS["shaped"] > before  # the shortcut really answered
    walked = await _execute(db, query, variables, shaped=False)
    assert shaped == walked
    assert not shaped[1], shaped[1]


@pytest.mark.parametrize(("query", "variables"), ERRORS)
async def test_same_errors_as_the_walk(db, query, variables):
    shaped = await _execute(db, query, variables, shaped=True)
    walked = await _execute(db, query, variables, shaped=False)
    assert shaped == walked
    assert shaped[1]


@pytest.mark.parametrize(("query", "variables"), QUERIES[:3])
async def test_without_prefetching_the_engine_walks(db, query, variables):
    """Nothing prefetched: resolvers need the batch loaders, so the shortcut steps aside."""
    shaped = await _execute(db, query, variables, shaped=True, prefetch=False)
    walked = await _execute(db, query, variables, shaped=False, prefetch=False)
    assert shaped == walked


def _bench_queries():
    """The benchmark's query shapes (bench/queries.py), aimed at the seed graph."""
    from bench.queries import Targets, query_set

    targets = Targets(
        borrower="potevio",
        hub="bank-of-beijing",
        path_from="bank-of-china",
        path_to="potevio",
        path_length=4,
        deep_offset=2,
        deep_key="analysys international",
        deep_id="analysys-international",
    )
    return [(q.name, *q.ours) for q in query_set(targets)]


@pytest.mark.parametrize(("name", "query", "variables"), _bench_queries())
async def test_every_benchmark_query_is_completed_by_the_shaped_path(db, name, query, variables):
    before = dict(execution.COUNTS)
    shaped = await _execute(db, query, variables, shaped=True)
    assert not shaped[1], shaped[1]
    assert execution.COUNTS["shaped"] > before.get("shaped", 0), name
    assert execution.COUNTS["walked"] == before.get("walked", 0), name
    assert shaped == await _execute(db, query, variables, shaped=False)


@pytest.mark.parametrize(("name", "query", "variables"), _bench_queries())
async def test_with_prefetching_off_the_shaped_path_steps_aside(db, name, query, variables):
    before = dict(execution.COUNTS)
    shaped = await _execute(db, query, variables, shaped=True, prefetch=False)
    assert not shaped[1], shaped[1]
    # PREFETCH=0 is the diagnostic that compares against the engine's own walk: the
    # one-pass completion is not even tried.
    assert execution.COUNTS["shaped"] == before.get("shaped", 0), name
    assert shaped == await _execute(db, query, variables, shaped=False, prefetch=False)


async def test_the_runtime_type_of_a_class_is_looked_up_once_per_answer(db, monkeypatch):
    """An interface field's runtime type comes from the value's class: looked up (and
    checked against the interface) once per class in an answer, not once per object."""
    from graphql import GraphQLSchema

    checks = [0]
    real = GraphQLSchema.is_sub_type

    def counting(self, abstract, maybe_sub):
        checks[0] += 1
        return real(self, abstract, maybe_sub)

    monkeypatch.setattr(GraphQLSchema, "is_sub_type", counting)
    query = "{ entities(first: 60) { edges { node { id name kind } } } }"
    data, errors = await _execute(db, query, None, shaped=True)
    assert not errors
    nodes = json.loads(data)["entities"]["edges"]
    kinds = {edge["node"]["kind"] for edge in nodes}
    assert len(nodes) > 2 * len(kinds)  # many objects of each class
    assert 0 < checks[0] <= len(kinds)


async def test_relationship_fields_make_their_window_once_per_field(db, monkeypatch):
    """A relationship field asked for under every item of a list is read through its
    READER (graph.types.kinds): its window is made once per field of the query and type,
    not once per object, and its rows read straight from the prefetched answer."""
    from graph.resolvers import related

    made = [0]
    real = related.list_window

    def counting(*args, **kwargs):
        made[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(related, "list_window", counting)
    query = """{ entities(first: 200) { edges { node { ... on Organizational { __typename
                 memberOf { id } agreements { role } } } } } }"""
    data, errors = await _execute(db, query, None, shaped=True)
    assert not errors
    orgs = [edge["node"] for edge in json.loads(data)["entities"]["edges"] if edge["node"]]
    assert len(orgs) > 10
    assert sum(len(org["agreements"]) for org in orgs) > 2
    types = {org["__typename"] for org in orgs}
    # The plan makes memberOf's and agreements' windows once each; the shortcut once per
    # field and concrete type, for all its objects.
    assert made[0] == 2 + 2 * len(types) < len(orgs)
    made[0] = 0
    assert (data, errors) == await _execute(db, query, None, shaped=False)
    assert made[0] >= 2 * len(orgs)  # the engine's walk: once per object


def test_awaitability_is_checked_once_per_class():
    """`_run` learns which classes of resolved values can never be awaited, so a typed
    object is passed through with one set lookup; a coroutine is still run, and a class
    that defines __await__ is never learnt."""

    class Plain:
        pass

    class Awaits:
        def __await__(self):
            yield from ()

    async def ready():
        return 7

    execution._NOT_AWAITABLE.discard(Plain)
    value = Plain()
    assert execution._run(value) is value
    assert Plain in execution._NOT_AWAITABLE
    assert execution._run(ready()) == 7
    with pytest.raises(execution._Bail):
        execution._run(Awaits())
    assert Awaits not in execution._NOT_AWAITABLE
