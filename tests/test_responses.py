"""Which GraphQL results are answered as an outage (graph/http/responses.py `unavailable`),
and how lists of names read in messages (graph/wording.py). No database: the outage
itself is tests/test_faults.py."""

from __future__ import annotations

import json

import pytest

from graph.http.responses import RETRY_AFTER_S, unavailable, unavailable_response
from graph.wording import all_of, one_of

DOWN = {
    "message": "The graph database is unreachable right now; try again shortly.",
    "extensions": {"code": "SERVICE_UNAVAILABLE"},
}
BAD = {"message": "`first` must be between 1 and 500", "extensions": {"code": "BAD_USER_INPUT"}}


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ({"data": None, "errors": [DOWN]}, True),
        ({"data": {"entity": None}, "errors": [DOWN]}, True),
        ({"data": {"a": None, "b": None}, "errors": [DOWN, DOWN]}, True),
        ({"errors": [DOWN]}, True),
        # some data: a partial answer
        ({"data": {"__typename": "Query", "entity": None}, "errors": [DOWN]}, False),
        # another error beside it: not (only) the outage
        ({"data": None, "errors": [DOWN, BAD]}, False),
        ({"data": None, "errors": [BAD]}, False),
        ({"data": {"entity": None}}, False),
        ({"data": {"entity": None}, "errors": []}, False),
        # a batch: only when every operation is
        ([{"data": None, "errors": [DOWN]}, {"data": {"x": None}, "errors": [DOWN]}], True),
        ([{"data": None, "errors": [DOWN]}, {"data": {"x": 1}}], False),
        ([], False),
    ],
)
def test_what_counts_as_an_outage(result, expected):
    assert unavailable(result) is expected


def test_an_outage_is_503_without_data():
    response = unavailable_response([{"data": None, "errors": [DOWN]}, {"errors": [DOWN]}])
    assert response.status_code == 503
    assert response.headers["retry-after"] == str(RETRY_AFTER_S)
    assert response.headers["cache-control"] == "no-store"
    assert json.loads(response.body) == [{"errors": [DOWN]}, {"errors": [DOWN]}]


@pytest.mark.parametrize(
    ("names", "choice", "every"),
    [
        ([], "(none)", "(none)"),
        (["PERSON"], "PERSON", "PERSON"),
        (["ORGANIZATION", "BANK"], "ORGANIZATION or BANK", "ORGANIZATION and BANK"),
        (["a", "b", "c"], "a, b or c", "a, b and c"),
    ],
)
def test_lists_of_names_read_as_text(names, choice, every):
    assert one_of(names) == choice
    assert all_of(names) == every
