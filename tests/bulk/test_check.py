"""Checking records before anything is written: every problem, each at its line."""

from __future__ import annotations

import pytest

from graph.bulk.check import Checker
from graph.bulk.records import ENTITY, RELATIONSHIP, SOURCE, Input, Problem, Record
from graph.domain import Kind

SOURCE_DATA = {"id": "s1", "title": "A report"}


def entity(entity_id: str, kind: str = "ORGANIZATION", **extra) -> dict:
    return {
        "id": entity_id,
        "kind": kind,
        "name": extra.pop("name", entity_id.title()),
        "provenance": [{"source": "s1", "paragraph": 1}],
        **extra,
    }


def rel(start: str, rel_type: str, end: str, **extra) -> dict:
    return {
        "from": start,
        "type": rel_type,
        "to": end,
        "provenance": [{"source": "s1", "paragraph": 2}],
        **extra,
    }


def check(*records, graph_sources=(), graph_kinds=None):
    """Records given as (type, data), numbered from line 1, all in one input."""
    items = [
        r if isinstance(r, Problem) else Record(r[0], r[1], line)
        for line, r in enumerate(records, 1)
    ]
    origin = Input("facts.jsonl", lambda: iter(items))
    checker = Checker()
    for item in origin.read():
        checker.add(0, origin, item)
    return checker.finish(set(graph_sources), graph_kinds or {})


def reasons(checked) -> list[tuple[int, str]]:
    return [(p.line, p.reason) for p in checked.problems]


def test_a_valid_file_has_no_problems():
    checked = check(
        (SOURCE, SOURCE_DATA),
        (ENTITY, entity("acme")),
        (ENTITY, entity("jane", "PERSON")),
        (RELATIONSHIP, rel("jane", "HOLDS_POSITION", "acme", properties={"title": "CEO"})),
    )
    assert checked.problems == []
    assert checked.valid_rows == 3
    assert checked.sources == {"s1": SOURCE_DATA}


def test_every_problem_is_reported_with_its_line():
    checked = check(
        (SOURCE, SOURCE_DATA),
        (ENTITY, entity("ship", "SPACESHIP")),
        (ENTITY, entity("acme", properties={"colour": "red"})),
        (ENTITY, entity("launch", "EVENT", properties={"date": "2024-13-45"})),
        (ENTITY, {**entity("nobody"), "provenance": []}),
        Problem("facts.jsonl line 6", "not valid JSON", 6),
        (RELATIONSHIP, rel("acme", "LIKES", "acme")),
        (RELATIONSHIP, rel("good", "MEMBER_OF", "nowhere")),
        (ENTITY, entity("good")),
    )
    found = reasons(checked)
    assert [line for line, _ in found] == [2, 3, 4, 5, 6, 7, 8]
    assert (
        "kind must be ORGANIZATION, BANK, PERSON, PATENT, AGREEMENT, EVENT, CREDIT, "
        "GRANT or PLACE, got" in found[0][1]
    )
    assert "property 'colour' is not declared" in found[1][1]
    assert "property 'date' must be date" in found[2][1]
    assert "provenance must be a non-empty list" in found[3][1]
    assert "type must be ADMINISTERS, ATTENDED, " in found[5][1]
    assert found[6][1] == "unknown to entity 'nowhere'"
    assert checked.invalid == {(0, n) for n in range(2, 9)}
    assert checked.valid_rows == 1
    assert str(checked.problems[0]).startswith("facts.jsonl line 2: kind must be ORGANIZATION, ")


def test_relationships_may_come_before_their_entities():
    checked = check(
        (RELATIONSHIP, rel("jane", "HOLDS_POSITION", "acme")),
        (SOURCE, SOURCE_DATA),
        (ENTITY, entity("jane", "PERSON")),
        (ENTITY, entity("acme")),
    )
    assert checked.problems == []
    # Where each record type lies: the writing passes read only those lines.
    assert checked.spans == {(0, RELATIONSHIP): (1, 1), (0, SOURCE): (2, 2), (0, ENTITY): (3, 4)}


def test_relationship_ends_must_be_of_the_kinds_the_type_joins():
    checked = check(
        (SOURCE, SOURCE_DATA),
        (ENTITY, entity("acme")),
        (RELATIONSHIP, rel("acme", "HOLDS_POSITION", "acme")),
    )
    assert reasons(checked) == [
        (3, "the from entity of HOLDS_POSITION must be of kind PERSON, not ORGANIZATION")
    ]


def test_ends_and_sources_already_in_the_graph_are_known():
    checked = check(
        (ENTITY, entity("acme")),
        (RELATIONSHIP, rel("jane", "HOLDS_POSITION", "acme")),
        graph_sources={"s1"},
        graph_kinds={"jane": Kind.PERSON},
    )
    assert checked.problems == []
    checked = check(
        (ENTITY, entity("acme")),
        (RELATIONSHIP, rel("jane", "HOLDS_POSITION", "acme")),
        graph_kinds={"jane": Kind.BANK},
    )
    assert reasons(checked) == [
        (1, "source 's1' is neither declared in the input nor in the graph"),
        (2, "source 's1' is neither declared in the input nor in the graph"),
    ]


def test_unresolved_names_are_what_the_graph_is_asked_about():
    checker = Checker()
    origin = Input("f", lambda: iter(()))
    checker.add(0, origin, Record(ENTITY, entity("acme"), 1))
    checker.add(0, origin, Record(RELATIONSHIP, rel("jane", "HOLDS_POSITION", "acme"), 2))
    assert checker.unresolved() == (["s1"], ["jane"])


def test_a_file_entry_must_name_its_source():
    no_source = {**entity("acme"), "provenance": [{"paragraph": 1}]}
    checked = check((ENTITY, no_source))
    assert reasons(checked) == [(1, "a provenance entry needs a source (the id of a source)")]


def test_a_repeated_entity_must_agree_with_its_first_line():
    checked = check(
        (SOURCE, SOURCE_DATA),
        (ENTITY, entity("acme", aliases=["A"])),
        (ENTITY, entity("acme", aliases=["B"])),  # more aliases, more provenance: fine
        (ENTITY, entity("acme", name="Other")),
        (ENTITY, entity("acme", "BANK")),
    )
    assert reasons(checked) == [
        (
            4,
            "id 'acme' is also at facts.jsonl line 2 with another name or other properties; "
            "a repeated entity must agree (aliases and provenance may differ)",
        ),
        (5, "id 'acme' is of kind ORGANIZATION at facts.jsonl line 2, not BANK"),
    ]


def test_a_relationship_to_an_invalid_entity_says_so():
    checked = check(
        (SOURCE, SOURCE_DATA),
        (ENTITY, entity("jane", "PERSON", properties={"colour": "red"})),
        (ENTITY, entity("acme")),
        (RELATIONSHIP, rel("jane", "HOLDS_POSITION", "acme")),
    )
    assert reasons(checked)[1] == (4, "unknown from entity 'jane'")
    assert reasons(checked)[2] == (
        4,
        "(the row of 'jane', facts.jsonl line 2, is invalid)",
    )


@pytest.mark.parametrize("key", ["_changes", "id", "kind", "name", "aliases", "_anything"])
def test_a_row_may_not_set_what_the_service_keeps(key):
    checked = check(
        (SOURCE, SOURCE_DATA),
        (ENTITY, entity("acme", properties={key: ["a-change-id"], "orgType": "company"})),
        (ENTITY, entity("jane", "PERSON")),
        (RELATIONSHIP, rel("jane", "HOLDS_POSITION", "acme", properties={key: "x"})),
    )
    found = reasons(checked)
    assert [line for line, _ in found] == [2, 4]
    for _, reason in found:
        assert reason.startswith(f"property {key!r} is kept by the service"), reason
    assert checked.valid_rows == 1
