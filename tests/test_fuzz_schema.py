"""Fuzzing of the running service from its own GraphQL schema (schemathesis): queries and
mutations generated from the introspected schema, with arbitrary arguments and
selections, sent over HTTP. No answer may be a 5xx, and no error may be unmasked or
internal: every error carries a code the API documents.

Bounded: at most FUZZ_EXAMPLES operations per root field (29 root fields) and a time
budget of FUZZ_BUDGET_S for the whole run, shared equally among the root fields (a root
field whose share is spent lets its remaining examples pass without sending them, but
only once it has been sent at least MIN_SENT operations, which the test then checks).
Mutations are sent without a token (refused before anything is written: the suite's
graph must stay as seeded)."""

from __future__ import annotations

import os
import time

import pytest
import schemathesis
from graphql import build_schema
from hypothesis import HealthCheck, given, settings

from graph.settings import ROOT

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
LABELS = [f"Query.{name}" for name in _SDL.query_type.fields] + [
    f"Mutation.{name}" for name in (_SDL.mutation_type.fields if _SDL.mutation_type else {})
]
sent: list[str] = []


@pytest.fixture(scope="session")
def introspected(server):
    """The schema as the running service describes it (an introspection query)."""
    return schemathesis.graphql.from_url(f"{server.url}/graphql")


def check(response) -> None:
    assert response.status_code < 500, response.text
    body = response.json()
    assert isinstance(body, dict), body
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code in DOCUMENTED, error
        assert error.get("message"), error
        assert "internal error" not in error["message"], error


@pytest.mark.parametrize("label", LABELS)
def test_no_server_error_and_no_unmasked_error(introspected, server, label):
    operation = introspected.find_operation_by_label(label)
    assert operation is not None, f"{label} is in schema.graphql but not in the service"
    started = time.monotonic()
    share = FUZZ_BUDGET_S / len(LABELS)

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def fuzz(case) -> None:
        if time.monotonic() - started > share and sent.count(label) >= MIN_SENT:
            return  # this root field's share of the time budget is spent
        response = case.call(base_url=server.url, timeout=30)
        sent.append(label)
        try:
            check(response)
        except AssertionError:
            print("operation sent:", case.body)
            raise

    fuzz()
    # Hypothesis may stop early (a small strategy) but the time budget must not starve a
    # root field into testing next to nothing.
    count = sent.count(label)
    assert count >= MIN_SENT, (
        f"only {count} operations were sent for {label} within its "
        f"{share:.1f} s share of FUZZ_BUDGET_S; raise the budget"
    )
