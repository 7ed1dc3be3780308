"""Fuzzing of the running service from its own GraphQL schema (schemathesis): queries and
mutations generated from the introspected schema, with arbitrary arguments and
selections, sent over HTTP. No answer may be a 5xx, and no error may be unmasked or
internal: every error carries a code the API documents.

Bounded: at most FUZZ_EXAMPLES operations per root field (29 root fields) and a time
budget of FUZZ_BUDGET_S for the whole run, shared equally among the root fields (a root
field whose share is spent lets its remaining examples pass without sending them, but
only once it has been sent at least MIN_SENT operations, which the test then checks).
Mutations are sent twice: without a token to the suite's service (refused before anything
is written: the suite's graph must stay as seeded), and with an admin's key (every write
an editor or an admin may make) to a service on a Neo4j of this module's own, whose
graph must still be whole afterwards."""

from __future__ import annotations

import asyncio
import os
import time

import pytest
import schemathesis
from graphql import build_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from graph.auth.keys import create_key
from graph.db import Database
from graph.settings import ROOT
from tests.commands import query
from tests.conftest import Server
from tests.scratch import scratch_neo4j

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
FUZZ_BUDGET_S = float(os.environ.get("FUZZ_BUDGET_S", "120"))
# The fewest operations a root field must really be sent.
MIN_SENT = min(FUZZ_EXAMPLES, 10)
DOCUMENTED = {
    "BAD_USER_INPUT",
    "NOT_FOUND",
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "QUERY_TOO_COMPLEX",
}
# Every root field, from the committed SDL (a test keeps it equal to the service's).
_SDL = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
MUTATIONS = [
    f"Mutation.{name}" for name in (_SDL.mutation_type.fields if _SDL.mutation_type else {})
]
LABELS = [f"Query.{name}" for name in _SDL.query_type.fields] + MUTATIONS
# Operations really sent, per (root field, credentials).
sent: list[tuple[str, str]] = []


# The JSON scalar (entity properties, a conflict's chosen value): numbers, text and
# booleans, as a client may send any of them.
schemathesis.graphql.scalar(
    "JSON",
    st.one_of(
        st.integers(min_value=-(2**53), max_value=2**53).map(nodes.Int),
        st.text(max_size=20).map(nodes.String),
        st.booleans().map(nodes.Boolean),
    ),
)


@pytest.fixture(scope="session")
def introspected(server):
    """The schema as the running service describes it (an introspection query)."""
    return schemathesis.graphql.from_url(f"{server.url}/graphql")


@pytest.fixture(scope="module")
def scratch():
    """A service on a seeded Neo4j of this module's own, and an admin's key for it."""
    with scratch_neo4j("fuzz") as (settings, _local), Server(settings) as srv:

        async def admin_key() -> str:
            db = Database(settings)
            try:
                return (await create_key(db, "fuzz-admin", "admin")).token
            finally:
                await db.close()

        yield settings, srv, asyncio.run(admin_key())


def check(response) -> None:
    assert response.status_code < 500, response.text
    body = response.json()
    assert isinstance(body, dict), body
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code in DOCUMENTED, error
        assert error.get("message"), error
        assert "internal error" not in error["message"], error


def fuzz_root_field(introspected, url: str, label: str, who: str, headers=None) -> int:
    """Sends up to FUZZ_EXAMPLES generated operations on one root field to `url`, checking
    each answer; returns how many were really sent."""
    operation = introspected.find_operation_by_label(label)
    assert operation is not None, f"{label} is in schema.graphql but not in the service"
    started = time.monotonic()
    share = FUZZ_BUDGET_S / (len(LABELS) + len(MUTATIONS))

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def fuzz(case) -> None:
        if time.monotonic() - started > share and sent.count((label, who)) >= MIN_SENT:
            return  # this root field's share of the time budget is spent
        response = case.call(base_url=url, headers=headers, timeout=30)
        sent.append((label, who))
        try:
            check(response)
        except AssertionError:
            print("operation sent:", case.body)
            raise

    fuzz()
    # Hypothesis may stop early (a small strategy) but the time budget must not starve a
    # root field into testing next to nothing.
    count = sent.count((label, who))
    assert count >= MIN_SENT, (
        f"only {count} operations were sent for {label} ({who}) within its "
        f"{share:.1f} s share of FUZZ_BUDGET_S; raise the budget"
    )
    return count


@pytest.mark.parametrize("label", LABELS)
def test_no_server_error_and_no_unmasked_error(introspected, server, label):
    fuzz_root_field(introspected, server.url, label, "anonymous")


@pytest.mark.parametrize("label", MUTATIONS)
def test_writes_by_an_admin_fuzzed(introspected, scratch, label):
    """Every mutation with an admin's key, so the arguments reach the resolvers and the
    database (not only the authentication refusal)."""
    settings, srv, token = scratch
    fuzz_root_field(
        introspected, srv.url, label, "admin", headers={"Authorization": f"Bearer {token}"}
    )
    # Whatever was written is whole: each entity has its id, kind, name and provenance
    # naming a source that exists; each relationship names one too.
    [broken] = query(
        settings,
        "MATCH (e:Entity) WHERE e.id IS NULL OR e.kind IS NULL OR e.name IS NULL "
        "OR size(coalesce(e._prov, [])) = 0 "
        "OR any(p IN e._prov WHERE NOT EXISTS { MATCH (:Source {id: split(p, '|')[0]}) }) "
        "RETURN count(e) AS n",
    )
    assert broken["n"] == 0
    [loose] = query(
        settings,
        "MATCH (:Entity)-[r]->(:Entity) WHERE size(coalesce(r._prov, [])) = 0 RETURN count(r) AS n",
    )
    assert loose["n"] == 0
